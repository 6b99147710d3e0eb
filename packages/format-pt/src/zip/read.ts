import { pipeline } from "node:stream/promises";
import { constants as bufferConstants } from "node:buffer";
import * as zlib from "node:zlib";
import { CkptError, ComputedSource, FileRangeSource, type ByteSource, type RandomAccessFile } from "@ckpt/core";
import { METHOD_STORED, U16_MAX, U32_MAX, SIG_LOCAL, SIG_CENTRAL, SIG_EOCD, SIG_ZIP64_EOCD, SIG_ZIP64_LOCATOR, EOCD_SIZE, ZIP64_EOCD_SIZE, ZIP64_LOCATOR_SIZE, CENTRAL_SIZE, LOCAL_SIZE } from "./records.js";

/** One file of the archive, as the central directory describes it. */
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated (nothing else is accepted). */
  method: number;
  /** General-purpose flags (torch writes 0x0808: data descriptor + UTF-8 name). */
  flags: number;
  compressedSize: number;
  /** Uncompressed size. */
  size: number;
  crc32: number;
  localHeaderOffset: number;
  /** Where the entry's (possibly compressed) bytes start, from its local header. */
  dataOffset: number;
}

export interface ZipArchive {
  entries: ZipEntry[];
  /** The first entry of each name (a later duplicate is in `entries` only). */
  byName: Map<string, ZipEntry>;
  /** The first entry's folder with its '/', e.g. "archive/", or "" when it has none. */
  prefix: string;
}

/** The EOCD plus the longest possible comment. */
const EOCD_SEARCH = EOCD_SIZE + 0xffff;

const FLAG_ENCRYPTED = 0x0001;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_UTF8 = 0x0800;
const EXTRA_ZIP64 = 0x0001;

const METHOD_DEFLATED = 8;
/** Deflate cannot expand more than about 1032 : 1 (a 258-byte match per 2 bits); a little slack on top. */
const DEFLATE_MAX_RATIO = 1100;

/** Local headers at most this far apart are read in one window… */
const WINDOW_GAP = 4096;
/** …of at most this many bytes; this many windows are read at once. */
const WINDOW_MAX = 1 << 20;
const WINDOW_BATCH = 32;

/**
 * Reads the central directory of a zip archive (zip64 included) and resolves where each
 * entry's data starts. Every size and offset is checked against the file before anything
 * is allocated from it; nothing of the entries' data is read.
 */
export async function readZip(file: RandomAccessFile, name: string): Promise<ZipArchive> {
  const bad = (message: string) => new CkptError("CORRUPT", message, { file: name });

  // End of central directory: the last signature whose comment fits in the file.
  const searchLength = Math.min(file.size, EOCD_SEARCH);
  const tailStart = file.size - searchLength;
  const tail = await file.read(tailStart, searchLength);
  const tailView = view(tail);
  let eocdAt = -1;
  for (let at = tail.byteLength - EOCD_SIZE; at >= 0; at--) {
    if (tailView.getUint32(at, true) === SIG_EOCD && at + EOCD_SIZE + tailView.getUint16(at + 20, true) <= tail.byteLength) {
      eocdAt = at;
      break;
    }
  }
  if (eocdAt < 0) throw bad("no end of central directory record: the zip is truncated or not a zip");
  const eocdOffset = tailStart + eocdAt;
  let disk = tailView.getUint16(eocdAt + 4, true);
  let cdDisk = tailView.getUint16(eocdAt + 6, true);
  let count = tailView.getUint16(eocdAt + 10, true);
  let cdSize = tailView.getUint32(eocdAt + 12, true);
  let cdOffset = tailView.getUint32(eocdAt + 16, true);
  // Where the central directory must end: at the zip64 record when there is one, else at the EOCD.
  let cdLimit = eocdOffset;

  // A zip64 locator right before the EOCD points at the zip64 end record, which then rules.
  const locatorOffset = eocdOffset - ZIP64_LOCATOR_SIZE;
  if (locatorOffset >= 0) {
    const locator = locatorOffset >= tailStart
      ? tail.subarray(locatorOffset - tailStart, locatorOffset - tailStart + ZIP64_LOCATOR_SIZE)
      : await file.read(locatorOffset, ZIP64_LOCATOR_SIZE);
    const locatorView = view(locator);
    if (locatorView.getUint32(0, true) === SIG_ZIP64_LOCATOR) {
      const recordOffset = u64(locatorView, 8);
      if (recordOffset === undefined || recordOffset + ZIP64_EOCD_SIZE > locatorOffset) {
        throw bad(`the zip64 end of central directory locator points outside the file (offset ${recordOffset ?? "beyond 2^53"})`);
      }
      const record = view(await file.read(recordOffset, ZIP64_EOCD_SIZE));
      if (record.getUint32(0, true) !== SIG_ZIP64_EOCD) {
        throw bad(`no zip64 end of central directory record at offset ${recordOffset}, where the locator points`);
      }
      disk = record.getUint32(16, true);
      cdDisk = record.getUint32(20, true);
      const count64 = u64(record, 32);
      const cdSize64 = u64(record, 40);
      const cdOffset64 = u64(record, 48);
      if (count64 === undefined || cdSize64 === undefined || cdOffset64 === undefined) {
        throw bad("the zip64 end of central directory record holds a count, size or offset beyond 2^53");
      }
      count = count64;
      cdSize = cdSize64;
      cdOffset = cdOffset64;
      cdLimit = recordOffset;
    }
  }
  if (disk !== 0 || cdDisk !== 0) {
    throw new CkptError("UNSUPPORTED", "this zip is split over several disks (spanned archives are not supported)", { file: name });
  }
  if (cdOffset + cdSize > cdLimit) {
    throw bad(`the central directory (${cdSize} bytes at offset ${cdOffset}) runs past its end records at ${cdLimit}: the zip is truncated or damaged`);
  }
  if (count * CENTRAL_SIZE > cdSize) {
    throw bad(`the zip claims ${count} entries, more than its ${cdSize}-byte central directory can hold`);
  }
  if (cdSize > count * (CENTRAL_SIZE + 3 * U16_MAX)) {
    throw bad(`the zip's central directory claims ${cdSize} bytes, more than its ${count} entries can fill`);
  }

  const cd = await file.read(cdOffset, cdSize);
  const cdView = view(cd);
  const entries: ZipEntry[] = [];
  const nameBytes: Uint8Array[] = [];
  let at = 0;
  for (let index = 0; index < count; index++) {
    if (at + CENTRAL_SIZE > cdSize || cdView.getUint32(at, true) !== SIG_CENTRAL) {
      throw bad(`central directory entry ${index} is damaged (no signature at offset ${cdOffset + at})`);
    }
    const flags = cdView.getUint16(at + 8, true);
    const method = cdView.getUint16(at + 10, true);
    const crc = cdView.getUint32(at + 16, true);
    let compressedSize = cdView.getUint32(at + 20, true);
    let size = cdView.getUint32(at + 24, true);
    const nameLength = cdView.getUint16(at + 28, true);
    const extraLength = cdView.getUint16(at + 30, true);
    const commentLength = cdView.getUint16(at + 32, true);
    let startDisk = cdView.getUint16(at + 34, true);
    let localHeaderOffset = cdView.getUint32(at + 42, true);
    const end = at + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (end > cdSize) throw bad(`central directory entry ${index} runs past the end of the central directory`);
    const rawName = cd.subarray(at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLength);
    const entryName = decodeName(rawName, flags, () => bad(`central directory entry ${index} has a name that is not valid UTF-8`));
    const where = `zip entry ${entryName}`;

    if (size === U32_MAX || compressedSize === U32_MAX || localHeaderOffset === U32_MAX || startDisk === U16_MAX) {
      const zip64 = findExtra(cd.subarray(at + CENTRAL_SIZE + nameLength, at + CENTRAL_SIZE + nameLength + extraLength), EXTRA_ZIP64);
      if (!zip64) throw bad(`${where}: a size or offset is 0xFFFFFFFF but there is no zip64 extra field holding it`);
      const zip64View = view(zip64);
      let field = 0;
      const next = (what: string): number => {
        const value = field + 8 <= zip64.byteLength ? u64(zip64View, field) : undefined;
        if (value === undefined) throw bad(`${where}: the zip64 extra field lacks a valid ${what}`);
        field += 8;
        return value;
      };
      if (size === U32_MAX) size = next("uncompressed size");
      if (compressedSize === U32_MAX) compressedSize = next("compressed size");
      if (localHeaderOffset === U32_MAX) localHeaderOffset = next("local header offset");
      if (startDisk === U16_MAX) {
        if (field + 4 > zip64.byteLength) throw bad(`${where}: the zip64 extra field lacks the disk number`);
        startDisk = zip64View.getUint32(field, true);
      }
    }
    if (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) {
      throw new CkptError("UNSUPPORTED", `${where} is encrypted`, { file: name });
    }
    if (method !== METHOD_STORED && method !== METHOD_DEFLATED) {
      throw new CkptError("UNSUPPORTED", `${where} uses compression method ${method}; only stored (0) and deflated (8) entries are supported`, { file: name });
    }
    if (startDisk !== 0) throw new CkptError("UNSUPPORTED", `${where} lies on disk ${startDisk} (spanned archives are not supported)`, { file: name });
    if (method === METHOD_STORED && compressedSize !== size) {
      throw bad(`${where} is stored but its compressed size ${compressedSize} differs from its size ${size}`);
    }
    if (method === METHOD_DEFLATED && size > compressedSize * DEFLATE_MAX_RATIO + 1024) {
      throw bad(`${where} claims ${size} bytes from ${compressedSize} deflated bytes, more than deflate can produce`);
    }
    if (localHeaderOffset + LOCAL_SIZE > cdOffset) {
      throw bad(`${where}: its local header offset ${localHeaderOffset} lies outside the entries' area (which ends at ${cdOffset})`);
    }
    entries.push({ name: entryName, method, flags, compressedSize, size, crc32: crc, localHeaderOffset, dataOffset: -1 });
    nameBytes.push(rawName);
    at = end;
  }

  // Data offsets come from the local headers, whose extra fields differ from the central ones
  // (torch pads with its "FB" extra only there). Headers close together are read in one go.
  const order = entries.map((_, index) => index).sort((a, b) => entries[a]!.localHeaderOffset - entries[b]!.localHeaderOffset);
  const span = (index: number) => Math.min(LOCAL_SIZE + nameBytes[index]!.byteLength, cdOffset - entries[index]!.localHeaderOffset);
  const windows: { offset: number; length: number; members: number[] }[] = [];
  for (const index of order) {
    const offset = entries[index]!.localHeaderOffset;
    const last = windows[windows.length - 1];
    const end = offset + span(index);
    if (last && offset - (last.offset + last.length) <= WINDOW_GAP && end - last.offset <= WINDOW_MAX) {
      last.length = Math.max(last.length, end - last.offset);
      last.members.push(index);
    } else {
      windows.push({ offset, length: end - offset, members: [index] });
    }
  }
  const resolve = (window: Uint8Array, windowOffset: number, index: number) => {
    const entry = entries[index]!;
    const where = `zip entry ${entry.name}`;
    const at = entry.localHeaderOffset - windowOffset;
    const header = window.subarray(at, at + span(index));
    const headerView = view(header);
    if (headerView.getUint32(0, true) !== SIG_LOCAL) throw bad(`${where}: no local header at offset ${entry.localHeaderOffset}`);
    const nameLength = headerView.getUint16(26, true);
    const extraLength = headerView.getUint16(28, true);
    if (nameLength !== nameBytes[index]!.byteLength || !equalBytes(header.subarray(LOCAL_SIZE), nameBytes[index]!)) {
      throw bad(`${where}: the local header names a different file than the central directory`);
    }
    entry.dataOffset = entry.localHeaderOffset + LOCAL_SIZE + nameLength + extraLength;
  };
  for (let first = 0; first < windows.length; first += WINDOW_BATCH) {
    await Promise.all(windows.slice(first, first + WINDOW_BATCH).map(async ({ offset, length, members }) => {
      const window = await file.read(offset, length);
      for (const index of members) resolve(window, offset, index);
    }));
  }

  // Each entry's data ends before the next local header (or the directory): no entry is cut
  // short, and none shares bytes with another (as zip bombs do).
  for (let i = 0; i < order.length; i++) {
    const entry = entries[order[i]!]!;
    const next = i + 1 < order.length ? entries[order[i + 1]!]! : undefined;
    const limit = next ? next.localHeaderOffset : cdOffset;
    if (entry.dataOffset + entry.compressedSize > limit) {
      const what = next
        ? `overlap the next entry (${next.name}, at offset ${limit})`
        : `run past the entries' area (which ends at ${limit}); the zip is truncated or damaged`;
      throw bad(`zip entry ${entry.name}: its ${entry.compressedSize} bytes at offset ${entry.dataOffset} ${what}`);
    }
  }

  const byName = new Map<string, ZipEntry>();
  for (const entry of entries) if (!byName.has(entry.name)) byName.set(entry.name, entry);
  const firstName = entries[0]?.name ?? "";
  const slash = firstName.indexOf("/");
  return { entries, byName, prefix: slash < 0 ? "" : firstName.slice(0, slash + 1) };
}

/**
 * The entry's uncompressed bytes: a lazy range of the file when stored, inflated on
 * demand (never past the declared size) when deflated.
 */
export function entrySource(file: RandomAccessFile, entry: ZipEntry, name: string): ByteSource {
  if (entry.method === METHOD_STORED) return new FileRangeSource(file, entry.dataOffset, entry.size);
  return new ComputedSource(entry.size, async () => {
    // One more byte than declared, so an entry that inflates to more is caught, not allocated.
    const limit = entry.size + 1;
    if (limit > bufferConstants.MAX_LENGTH) {
      throw new CkptError("LIMIT", `zip entry ${entry.name}: ${entry.size} bytes is too large to inflate in memory`, { file: name });
    }
    const compressed = await file.read(entry.dataOffset, entry.compressedSize);
    let inflated: Uint8Array;
    try {
      inflated = zlib.inflateRawSync(compressed, { maxOutputLength: limit });
    } catch (error) {
      throw inflateError(error, entry, name);
    }
    if (inflated.byteLength !== entry.size) throw sizeMismatch(entry, inflated.byteLength, name);
    return inflated;
  });
}

/** Streams the entry's uncompressed bytes through CRC-32 and compares with the directory. */
export async function verifyCrc(file: RandomAccessFile, entry: ZipEntry, name: string): Promise<void> {
  let crc = 0;
  const raw = new FileRangeSource(file, entry.dataOffset, entry.compressedSize);
  if (entry.method === METHOD_STORED) {
    for await (const chunk of raw.chunks()) crc = crc32(chunk, crc);
  } else {
    let total = 0;
    try {
      await pipeline(raw.chunks(), zlib.createInflateRaw(), async (inflated: AsyncIterable<Buffer>) => {
        for await (const chunk of inflated) {
          total += chunk.byteLength;
          if (total > entry.size) throw sizeMismatch(entry, total, name, "more than");
          crc = crc32(chunk, crc);
        }
      });
    } catch (error) {
      throw inflateError(error, entry, name);
    }
    if (total !== entry.size) throw sizeMismatch(entry, total, name);
  }
  crc >>>= 0;
  if (crc !== entry.crc32) {
    throw new CkptError(
      "CHECKSUM",
      `zip entry ${entry.name}: CRC-32 is ${hex32(crc)}, the directory says ${hex32(entry.crc32)} (the entry is damaged; --no-verify-crc reads it anyway)`,
      { file: name },
    );
  }
}

function sizeMismatch(entry: ZipEntry, got: number, name: string, how = ""): CkptError {
  const amount = how ? `${how} ${entry.size}` : String(got);
  return new CkptError("CORRUPT", `zip entry ${entry.name} inflates to ${amount} bytes, but the directory says ${entry.size}`, { file: name });
}

function inflateError(error: unknown, entry: ZipEntry, name: string): CkptError {
  if (error instanceof CkptError) return error;
  const code = (error as { code?: string }).code;
  if (code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError) return sizeMismatch(entry, entry.size + 1, name, "more than");
  const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
  return new CkptError("CORRUPT", `zip entry ${entry.name}: its deflated data is damaged (${message})`, { file: name, cause: error });
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A little-endian u64 as a number, or undefined when it exceeds 2^53 - 1. */
function u64(data: DataView, at: number): number | undefined {
  const value = data.getBigUint64(at, true);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}

/** The data of the first extra field with `id`, or undefined (a malformed tail is ignored). */
function findExtra(extra: Uint8Array, id: number): Uint8Array | undefined {
  const data = view(extra);
  for (let at = 0; at + 4 <= extra.byteLength;) {
    const length = data.getUint16(at + 2, true);
    if (at + 4 + length > extra.byteLength) return undefined;
    if (data.getUint16(at, true) === id) return extra.subarray(at + 4, at + 4 + length);
    at += 4 + length;
  }
  return undefined;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i]);
}

/**
 * CRC-32 (the zip polynomial) of `data`, continuing from `value`: zlib's own since Node 20.15,
 * a table otherwise.
 */
export const crc32: (data: Uint8Array, value?: number) => number =
  typeof zlib.crc32 === "function" ? (data, value = 0) => zlib.crc32(data, value) : tableCrc32;

let table: Uint32Array | undefined;

function tableCrc32(data: Uint8Array, value = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = ~value >>> 0;
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The upper half of code page 437, which names use when the UTF-8 flag is off. */
const CP437_HIGH =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";

function decodeName(raw: Uint8Array, flags: number, invalid: () => CkptError): string {
  if (flags & FLAG_UTF8) {
    try {
      return utf8.decode(raw);
    } catch {
      throw invalid();
    }
  }
  let text = "";
  for (const byte of raw) text += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80]!;
  return text;
}

function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, "0");
}
