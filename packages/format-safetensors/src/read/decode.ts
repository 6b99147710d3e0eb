import { CkptError, FileRangeSource, Tensor, type Checkpoint, type DecodeInput, type Node, type PyMap, type RandomAccessFile } from "@ckpt/core";
import { headerLength, parseHeaderJson } from "../header/parse.js";
import { showName, validateHeader, type HeaderEntry } from "../header/validate.js";
import { FILE_METADATA_ATTR, unflatten } from "../tree/flat.js";
import { TREE_KEY, restoreTree } from "../tree/side-channel.js";

/**
 * Reads the header (8 + N bytes, N checked against the file first) and returns tensors
 * as lazy ranges of the file: opening a 20 GB file reads only its header.
 */
export async function decodeSafetensors(input: DecodeInput): Promise<Checkpoint> {
  const { file, name } = input;
  const n = headerLength(await file.head(8), file.size, name);
  const json = parseHeaderJson(await file.read(8, n), name);
  const dataStart = 8 + n;
  const header = validateHeader(json, file.size - dataStart, name);

  const metadata = header.metadata;
  const treeText = metadata?.get(TREE_KEY);
  const visible = metadata && new Map([...metadata].filter(([key]) => key !== TREE_KEY));
  const hint = treeText === undefined && metadata ? { [FILE_METADATA_ATTR]: metadata } : undefined;
  const tensors: [string, Tensor][] = header.entries.map((entry) => [entry.name, tensorOf(entry, file, dataStart, name, hint)]);

  let root: PyMap;
  if (treeText !== undefined) root = restoreTree(treeText, new Map(tensors), name, (m) => input.reporter.warn(m));
  else if (input.options["unflatten"] === true) root = unflatten(tensors, metadata, name);
  else root = new Map(tensors);

  const info: Record<string, Node> = {
    header_bytes: BigInt(n),
    tensors: BigInt(tensors.length),
    ckpt_tree: treeText !== undefined,
  };
  // One flat entry per key: `ckpt info` (text and --json) shows flat values, not maps.
  for (const [key, value] of visible ?? []) info[`metadata.${key}`] = value;
  return { root, info };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function tensorOf(entry: HeaderEntry, file: RandomAccessFile, dataStart: number, name: string, attrs: Record<string, unknown> | undefined): Tensor {
  const what = `tensor ${showName(entry.name)}`;
  const dtype = entry.dtype.dtype;
  if (!dtype) throw new CkptError("UNSUPPORTED", `${what} has dtype ${entry.dtype.name}, which ckpt cannot represent`, { file: name });
  // Valid for the reference (a zero-size tensor may claim dimensions up to 2^64), not for
  // ckpt's model, whose shapes and element counts are exact doubles.
  let partial = 1n;
  for (const dim of entry.shape) {
    partial *= dim;
    if (dim > MAX_SAFE || partial > MAX_SAFE) throw new CkptError("LIMIT", `${what}: shape [${entry.shape.join(", ")}] is past 2^53 elements or dimensions`, { file: name });
  }
  const shape = entry.shape.map(Number);
  // Validation guarantees end ≤ data length, so these are exact file offsets.
  const source = new FileRangeSource(file, dataStart + Number(entry.begin), Number(entry.end - entry.begin));
  return new Tensor(dtype, shape, source, attrs);
}
