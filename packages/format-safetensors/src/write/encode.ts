import { CkptError, type Checkpoint, type EncodeOutput } from "@ckpt/core";
import { planFile } from "./plan.js";

/** The header, then each tensor's bytes in storage order, streamed from its source. */
export async function* encodeSafetensors(checkpoint: Checkpoint, output: EncodeOutput): AsyncIterable<Uint8Array> {
  const plan = planFile(checkpoint, output.name);
  yield plan.header;
  for (const { name, tensor } of plan.tensors) {
    let written = 0;
    for await (const chunk of tensor.source.chunks()) {
      written += chunk.byteLength;
      if (written > tensor.byteLength) break;
      yield chunk;
    }
    // A source that lies about its length would shift every later tensor: refuse.
    if (written !== tensor.byteLength) {
      throw new CkptError("INTERNAL", `tensor ${JSON.stringify(name)} gave ${written} bytes, its header entry says ${tensor.byteLength}`, { file: output.name });
    }
  }
}

export async function encodedSafetensorsSize(checkpoint: Checkpoint, output: EncodeOutput): Promise<number> {
  return planFile(checkpoint, output.name).totalSize;
}
