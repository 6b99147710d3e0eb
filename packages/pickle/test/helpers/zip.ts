import { readFile } from "node:fs/promises";
import { FileRangeSource, RandomAccessFile } from "@ckpt/core";
import type { StorageLoader } from "../../src/torch/index.js";

/**
 * A tiny reader of stored (uncompressed) zip entries, enough to reach a torch
 * checkpoint's data.pkl and data/<key> in tests. The real zip walker is format-pt's.
 */
export function readZipEntries(bytes: Uint8Array): Map<string, { offset: number; size: number }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 65557); at--) {
    if (view.getUint32(at, true) === 0x06054b50) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new Error("no end of central directory");
  let count = view.getUint16(eocd + 10, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (cdOffset === 0xffffffff || count === 0xffff) {
    const locator = eocd - 20;
    if (view.getUint32(locator, true) !== 0x07064b50) throw new Error("no zip64 locator");
    const z64 = Number(view.getBigUint64(locator + 8, true));
    count = Number(view.getBigUint64(z64 + 32, true));
    cdOffset = Number(view.getBigUint64(z64 + 48, true));
  }
  const decoder = new TextDecoder();
  const entries = new Map<string, { offset: number; size: number }>();
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error("bad central directory entry");
    let size = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    let local = view.getUint32(at + 42, true);
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    // zip64 extra field: the 64-bit values, in order, for the fields that are 0xFFFFFFFF.
    for (let e = at + 46 + nameLength; e < at + 46 + nameLength + extraLength; ) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let p = e + 4;
        if (view.getUint32(at + 24, true) === 0xffffffff) p += 8;
        if (size === 0xffffffff) {
          size = Number(view.getBigUint64(p, true));
          p += 8;
        }
        if (local === 0xffffffff) local = Number(view.getBigUint64(p, true));
      }
      e += 4 + len;
    }
    const dataAt = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    entries.set(name, { offset: dataAt, size });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * A torch zip checkpoint's pickle and a storage loader giving lazy file ranges of its
 * data/<key> entries, as format-pt will. Call `close()` when done.
 */
export async function openTorchZip(path: string): Promise<{ pickle: Uint8Array; storage: StorageLoader; loaded: string[]; close(): Promise<void> }> {
  const bytes = new Uint8Array(await readFile(path));
  const entries = readZipEntries(bytes);
  const first = [...entries.keys()][0]!;
  const folder = first.slice(0, first.indexOf("/") + 1);
  const pkl = entries.get(`${folder}data.pkl`);
  if (!pkl) throw new Error("no data.pkl");
  const file = await RandomAccessFile.open(path);
  const loaded: string[] = [];
  const storage: StorageLoader = (key) => {
    const entry = entries.get(`${folder}data/${key}`);
    if (!entry) return undefined;
    loaded.push(key);
    return new FileRangeSource(file, entry.offset, entry.size);
  };
  return { pickle: bytes.subarray(pkl.offset, pkl.offset + pkl.size), storage, loaded, close: () => file.close() };
}
