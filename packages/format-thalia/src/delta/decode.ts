import { CkptError, JsonSyntaxError, parsePythonJson, type Checkpoint, type DecodeInput, type Node, type PyMap } from "@ckpt/core";
import { parseTorchPickle } from "@ckpt/pickle/torch";
import { DELTA_HEADER_SIZE, parseDeltaHeader } from "./header.js";
import { findBase } from "./find-base.js";
import { applyDelta } from "./apply.js";

/**
 * Reads a Thalia delta (`*.delta.thalia`): its header, the pickled delta tree (read by
 * the safe pickle machine; tensors are legacy torch storages), its JSON metadata, then
 * finds the base by SHA-256 and returns the full state the delta describes.
 */
export async function decodeDelta(input: DecodeInput): Promise<Checkpoint> {
  const name = input.name;
  const bytes = await input.file.read(0, input.file.size);
  const header = parseDeltaHeader(bytes, name);
  const { root: delta, end } = parseTorchPickle(bytes, { offset: DELTA_HEADER_SIZE, fileName: name, allowGlobals: asStrings(input.options.allowGlobals) });
  if (!(delta instanceof Map)) throw new CkptError("CORRUPT", "the delta pickle is not a dict", { file: name });
  const metadata = readMetadata(bytes, end, name);
  const info = metadata.get("delta_info");
  const storedBase = info instanceof Map && typeof info.get("base_checkpoint") === "string" ? (info.get("base_checkpoint") as string) : undefined;

  const basePath = await findBase(name, header.baseHash, storedBase, typeof input.options.base === "string" ? input.options.base : undefined);
  const base = await input.openOther(basePath);
  if (base.format !== "thalia") throw new CkptError("CORRUPT", `the delta's base ${basePath} is ${base.format}, not a Thalia checkpoint`, { file: name });

  const root: PyMap = new Map(base.checkpoint.root);
  for (const key of ["regions", "pathways"]) {
    root.set(key, applyDelta((root.get(key) as PyMap | undefined) ?? new Map(), delta.get(key), key === "regions" ? "region" : "pathway", name));
  }
  const baseMetadata = root.get("metadata");
  const merged: PyMap = new Map(baseMetadata instanceof Map ? baseMetadata : []);
  if (typeof delta.get("training_steps") === "bigint" && merged.has("training_steps")) merged.set("training_steps", delta.get("training_steps")!);
  for (const [key, value] of metadata) merged.set(key, value);
  root.set("metadata", merged);
  return {
    root,
    info: { delta_version: BigInt(header.version), base: basePath, base_sha256: header.baseHash, base_step: header.baseStep, current_step: header.currentStep },
  };
}

/** After the pickle: u32 length + JSON metadata. */
function readMetadata(bytes: Uint8Array, at: number, file: string): PyMap {
  if (at + 4 > bytes.byteLength) throw new CkptError("CORRUPT", "the delta ends before its metadata", { file });
  const length = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true);
  if (at + 4 + length > bytes.byteLength) throw new CkptError("CORRUPT", `the delta metadata (${length} bytes) runs past the end of the file`, { file });
  try {
    const parsed: Node = parsePythonJson(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(at + 4, at + 4 + length)));
    if (!(parsed instanceof Map)) throw new CkptError("CORRUPT", "the delta metadata is not a JSON object", { file });
    return parsed;
  } catch (error) {
    if (error instanceof CkptError) throw error;
    throw new CkptError("CORRUPT", `the delta metadata is not valid JSON${error instanceof JsonSyntaxError ? `: ${error.message}` : ""}`, { file });
  }
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}
