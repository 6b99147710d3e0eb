import { createHash } from "node:crypto";
import { reportProgress, type Checkpoint, type EncodeOutput } from "@ckpt/core";
import { planContainer, type ContainerPlan } from "./container-plan.js";
import { recordChunks } from "./tensor-plan.js";

/**
 * The file's bytes: the body (header … index), then the SHA-256 trailer. With a codec
 * the body is compressed as one frame that records its size, and the trailer hashes the
 * compressed frame, as Thalia's own writer does.
 */
export async function* encodeThalia(checkpoint: Checkpoint, output: EncodeOutput): AsyncIterable<Uint8Array> {
  const options = output.options;
  const plan = await planContainer(checkpoint.root, {
    ...(options.timestamp !== undefined && { timestamp: options.timestamp as number }),
    sparseF16: options.sparseF16 === true,
  }, output.name);
  const hash = createHash("sha256");
  let body = reportProgress(bodyChunks(plan), output.reporter, plan.bodySize);
  if (output.codec) {
    const { codec, level } = output.codec;
    body = codec.compress({ contentSize: plan.bodySize, ...(level !== undefined && { level }) })(body);
  }
  for await (const chunk of body) {
    hash.update(chunk);
    yield chunk;
  }
  yield hash.digest();
}

async function* bodyChunks(plan: ContainerPlan): AsyncIterable<Uint8Array> {
  yield plan.header;
  yield plan.metadataJson;
  for (const entry of plan.entries) {
    for (const tensor of entry.tensors) yield* recordChunks(tensor);
    yield entry.json;
  }
  yield plan.index;
}
