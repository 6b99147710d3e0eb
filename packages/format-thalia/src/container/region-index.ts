import { CkptError } from "@ckpt/core";
import { INDEX_ENTRY_SIZE, INDEX_NAME_BYTES } from "./layout.js";

/** One 48-byte index entry: a NUL-padded name and the place of its JSON. */
export interface IndexEntry {
  name: string;
  offset: number;
  length: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function parseIndex(bytes: Uint8Array, bodySize: number, file: string): IndexEntry[] {
  const entries: IndexEntry[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < bytes.byteLength; at += INDEX_ENTRY_SIZE) {
    const raw = bytes.subarray(at, at + 32);
    const end = raw.indexOf(0);
    let name: string;
    try {
      name = utf8.decode(raw.subarray(0, end < 0 ? 32 : end));
    } catch {
      throw new CkptError("CORRUPT", `region index entry ${at / INDEX_ENTRY_SIZE} has a name that is not UTF-8`, { file });
    }
    const offset = view.getBigUint64(at + 32, true);
    const length = view.getBigUint64(at + 40, true);
    if (offset + length > BigInt(bodySize)) {
      throw new CkptError("CORRUPT", `region "${name}" JSON (${offset}+${length}) lies past the end of the body (${bodySize} bytes)`, { file });
    }
    entries.push({ name, offset: Number(offset), length: Number(length) });
  }
  return entries;
}

export function serializeIndex(entries: readonly IndexEntry[]): Uint8Array {
  const bytes = new Uint8Array(entries.length * INDEX_ENTRY_SIZE);
  const view = new DataView(bytes.buffer);
  entries.forEach((entry, i) => {
    const name = Buffer.from(entry.name, "utf8");
    if (name.byteLength > INDEX_NAME_BYTES) throw new Error(`index name ${entry.name} is longer than ${INDEX_NAME_BYTES} bytes`);
    bytes.set(name, i * INDEX_ENTRY_SIZE);
    view.setBigUint64(i * INDEX_ENTRY_SIZE + 32, BigInt(entry.offset), true);
    view.setBigUint64(i * INDEX_ENTRY_SIZE + 40, BigInt(entry.length), true);
  });
  return bytes;
}
