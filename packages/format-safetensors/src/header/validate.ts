import { CkptError, corrupt, type Node, type PyMap } from "@ckpt/core";
import { safetensorsDType, type SafetensorsDType } from "../dtypes.js";

/** One tensor entry of a checked header; offsets count from the start of the data buffer. */
export interface HeaderEntry {
  name: string;
  dtype: SafetensorsDType;
  shape: bigint[];
  begin: bigint;
  end: bigint;
}

export interface Header {
  /** `__metadata__`, when present (string values only). */
  metadata: Map<string, string> | undefined;
  /** In the header's own order. */
  entries: HeaderEntry[];
}

const U64_MAX = (1n << 64n) - 1n;

/** A tensor name for a one-line message: quoted, escaped, and cut when long. */
export function showName(name: string): string {
  const quoted = JSON.stringify(name);
  return quoted.length > 80 ? `${quoted.slice(0, 76)}…"` : quoted;
}

/**
 * Every check the reference reader makes, in its order: the entries deserialize
 * (known dtype, u64 numbers, two offsets, string metadata), then, sorted by offsets,
 * they tile the data buffer exactly with sizes that match their shapes.
 */
export function validateHeader(json: PyMap, dataLength: number, file: string): Header {
  let metadata: Map<string, string> | undefined;
  const entries: HeaderEntry[] = [];
  for (const [key, value] of json) {
    const name = key as string; // JSON object keys are strings
    if (name === "__metadata__") {
      metadata = checkMetadata(value, file);
      continue;
    }
    entries.push(checkEntry(name, value, file));
  }

  const sorted = [...entries].sort((a, b) => (a.begin !== b.begin ? cmp(a.begin, b.begin) : cmp(a.end, b.end)));
  let at = 0n;
  for (const entry of sorted) {
    const where = `tensor ${showName(entry.name)}: data_offsets [${entry.begin}, ${entry.end}]`;
    if (entry.begin !== at) {
      if (at === 0n) throw corrupt(`${where}: the first tensor does not start at 0`, file);
      throw corrupt(`${where} ${entry.begin < at ? "overlap the previous tensor" : "leave a hole after the previous tensor"}, which ends at ${at}`, file);
    }
    if (entry.end < entry.begin) throw corrupt(`${where} end before they begin`, file);
    at = entry.end;
    let elements = 1n;
    for (const dim of entry.shape) {
      elements *= dim;
      if (elements > U64_MAX) throw corrupt(`tensor ${showName(entry.name)}: shape [${entry.shape.join(", ")}] has more elements than fit in 64 bits`, file);
    }
    const bits = elements * BigInt(entry.dtype.bits);
    if (bits > U64_MAX) throw corrupt(`tensor ${showName(entry.name)}: shape [${entry.shape.join(", ")}] of ${entry.dtype.name} has more bits than fit in 64 bits`, file);
    if (bits % 8n !== 0n) throw corrupt(`tensor ${showName(entry.name)}: ${entry.dtype.name} shape [${entry.shape.join(", ")}] does not fill whole bytes`, file);
    if (entry.end - entry.begin !== bits / 8n) {
      throw corrupt(`${where}: shape [${entry.shape.join(", ")}] of ${entry.dtype.name} needs ${bits / 8n} bytes, the offsets give ${entry.end - entry.begin}`, file);
    }
  }
  if (at !== BigInt(dataLength)) {
    throw corrupt(
      at > BigInt(dataLength)
        ? `tensors end at byte ${at} of the data buffer, past its end (${dataLength} bytes)`
        : `tensors end at byte ${at} of the data buffer, leaving ${BigInt(dataLength) - at} trailing bytes`,
      file,
    );
  }
  return { metadata, entries };
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkMetadata(value: Node, file: string): Map<string, string> | undefined {
  if (value === null) return undefined; // serde's Option: null is "no metadata"
  if (!(value instanceof Map)) throw corrupt("__metadata__ is not a JSON object", file);
  const out = new Map<string, string>();
  for (const [key, text] of value) {
    if (typeof text !== "string") throw corrupt(`__metadata__ value for ${showName(key as string)} is not a string`, file);
    out.set(key as string, text);
  }
  return out;
}

function checkEntry(name: string, value: Node, file: string): HeaderEntry {
  const what = `tensor ${showName(name)}`;
  if (!(value instanceof Map)) throw corrupt(`${what} is not a JSON object`, file);
  const dtypeName = value.get("dtype");
  const shape = value.get("shape");
  const offsets = value.get("data_offsets");
  if (dtypeName === undefined) throw corrupt(`${what} has no dtype`, file);
  if (typeof dtypeName !== "string") throw corrupt(`${what}: dtype is not a string`, file);
  const dtype = safetensorsDType(dtypeName);
  if (!dtype) throw corrupt(`${what}: unknown dtype ${showName(dtypeName)}`, file);
  if (shape === undefined) throw corrupt(`${what} has no shape`, file);
  if (!Array.isArray(shape)) throw corrupt(`${what}: shape is not an array`, file);
  if (offsets === undefined) throw corrupt(`${what} has no data_offsets`, file);
  if (!Array.isArray(offsets)) throw corrupt(`${what}: data_offsets is not an array`, file);
  if (offsets.length !== 2) throw corrupt(`${what}: data_offsets has ${offsets.length} numbers, not exactly two`, file);
  return {
    name,
    dtype,
    shape: shape.map((dim, i) => u64(dim, `${what}: shape[${i}]`, file)),
    begin: u64(offsets[0]!, `${what}: data_offsets[0]`, file),
    end: u64(offsets[1]!, `${what}: data_offsets[1]`, file),
  };
}

function u64(value: Node, what: string, file: string): bigint {
  if (typeof value !== "bigint") {
    const shown = typeof value === "number" ? String(value) : value === null ? "null" : typeof value === "string" ? "a string" : "not a number";
    throw corrupt(`${what} is ${shown}, not a non-negative integer`, file);
  }
  if (value < 0n) throw corrupt(`${what} is ${value}, not a non-negative integer`, file);
  if (value > U64_MAX) throw new CkptError("CORRUPT", `${what} is ${value}, larger than a u64`, { file });
  return value;
}
