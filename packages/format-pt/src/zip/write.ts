import { CkptError } from "@ckpt/core";
import { crc32 } from "./read.js";
import { METHOD_STORED, U16_MAX, U32_MAX, SIG_LOCAL, SIG_DESCRIPTOR, SIG_CENTRAL, SIG_EOCD, SIG_ZIP64_EOCD, SIG_ZIP64_LOCATOR, LOCAL_SIZE, CENTRAL_SIZE, ZIP64_EOCD_SIZE, ZIP64_LOCATOR_SIZE, EOCD_SIZE } from "./records.js";

/** One file to put in the archive: its exact size up front, its bytes streamed later. */
export interface ZipWriteEntry {
  name: string;
  size: number;
  chunks: () => AsyncIterable<Uint8Array>;
}

/** Where one entry's pieces go, known before any of its bytes are read. */
export interface ZipEntryLayout {
  /** The name as written (UTF-8). */
  name: Uint8Array;
  size: number;
  localHeaderOffset: number;
  /** 30 + name + extra fields (zip64 when `zip64Sizes`, then "FB" padding). */
  localHeaderSize: number;
  /** How many 'Z' bytes the "FB" extra holds (0–63). */
  padding: number;
  /** A multiple of 64. */
  dataOffset: number;
  /** 16 bytes, or 24 when `zip64Sizes`. */
  descriptorSize: number;
  /** The size reaches 0xFFFFFFFF: a zip64 extra in the local header, 8-byte descriptor sizes. */
  zip64Sizes: boolean;
  /** The local header starts at or past 0xFFFFFFFF: the central entry carries it in its zip64 extra. */
  zip64Offset: boolean;
  centralHeaderOffset: number;
  centralHeaderSize: number;
}

export interface ZipLayout {
  entries: ZipEntryLayout[];
  centralDirectoryOffset: number;
  centralDirectorySize: number;
  zip64EndOffset: number;
  totalSize: number;
}

/** The three end records together. */
export const END_RECORDS_SIZE = ZIP64_EOCD_SIZE + ZIP64_LOCATOR_SIZE + EOCD_SIZE;

/** Data starts at a multiple of this, as torch 2.x writes it (so tensors can be mapped in place). */
export const ALIGNMENT = 64;
/** Sizes and offsets from here on go to zip64 fields. */
export const ZIP64_THRESHOLD = 0xffffffff;

const EXTRA_ZIP64 = 0x0001;
/** "FB": torch's padding extra field, filled with 'Z'. */
const EXTRA_PADDING = 0x4246;
const PAD_BYTE = 0x5a;

/** Version 2.0 (stored entries, data descriptors) and 4.5 (zip64). */
const VERSION_BASIC = 20;
const VERSION_ZIP64 = 45;
/**
 * "Made by" Unix, spec 4.5. (Info-ZIP's unzip translates names from MS-DOS archives as
 * code page 437 even when the UTF-8 flag is set; Unix names it leaves alone.)
 */
const MADE_BY = (3 << 8) | VERSION_ZIP64;
/** A regular file, rw-r--r--, in the high half (Unix mode) of the external attributes. */
const EXTERNAL_ATTRIBUTES = (0o100644 << 16) >>> 0;
/** Data descriptor follows + names are UTF-8. */
const FLAGS = 0x0808;
/** A fixed timestamp, 1980-01-01 00:00, so the same content always gives the same bytes. */
const DOS_TIME = 0x0000;
const DOS_DATE = 0x0021;


const utf8 = new TextEncoder();

/** The exact byte layout of the archive `writeZip` streams for `entries`, without reading any data. */
export function zipLayout(entries: readonly ZipWriteEntry[]): ZipLayout {
  const layouts: ZipEntryLayout[] = [];
  let cursor = 0;
  for (const entry of entries) {
    const name = utf8.encode(entry.name);
    if (name.byteLength > U16_MAX) {
      throw new CkptError("LIMIT", `zip entry name is ${name.byteLength} bytes; a zip name holds at most ${U16_MAX}: ${entry.name.slice(0, 60)}…`);
    }
    if (!Number.isSafeInteger(entry.size) || entry.size < 0) {
      throw new CkptError("INTERNAL", `zip entry ${entry.name}: size ${entry.size} is not a byte count`);
    }
    const zip64Sizes = entry.size >= ZIP64_THRESHOLD;
    const unpadded = cursor + LOCAL_SIZE + name.byteLength + (zip64Sizes ? 4 + 16 : 0) + 4;
    const padding = (ALIGNMENT - (unpadded % ALIGNMENT)) % ALIGNMENT;
    const dataOffset = unpadded + padding;
    const descriptorSize = zip64Sizes ? 24 : 16;
    layouts.push({
      name,
      size: entry.size,
      localHeaderOffset: cursor,
      localHeaderSize: dataOffset - cursor,
      padding,
      dataOffset,
      descriptorSize,
      zip64Sizes,
      zip64Offset: cursor >= ZIP64_THRESHOLD,
      centralHeaderOffset: 0,
      centralHeaderSize: 0,
    });
    cursor = dataOffset + entry.size + descriptorSize;
  }
  const centralDirectoryOffset = cursor;
  for (const layout of layouts) {
    layout.centralHeaderOffset = cursor;
    layout.centralHeaderSize = CENTRAL_SIZE + layout.name.byteLength + centralZip64Fields(layout).length * 8 + (layout.zip64Sizes || layout.zip64Offset ? 4 : 0);
    cursor += layout.centralHeaderSize;
  }
  const totalSize = cursor + END_RECORDS_SIZE;
  if (!Number.isSafeInteger(totalSize)) throw new CkptError("LIMIT", `the zip would be ${totalSize} bytes, beyond 2^53`);
  return {
    entries: layouts,
    centralDirectoryOffset,
    centralDirectorySize: cursor - centralDirectoryOffset,
    zip64EndOffset: cursor,
    totalSize,
  };
}

/**
 * Streams a zip the way torch 2.x writes one: stored entries, data aligned to 64 bytes by an
 * "FB" extra field, zero sizes in local headers with a data descriptor after the data, then
 * the central directory and always the zip64 end records. Holds at most one chunk of data.
 */
export async function* writeZip(entries: readonly ZipWriteEntry[]): AsyncIterable<Uint8Array> {
  const layout = zipLayout(entries);
  const crcs: number[] = [];
  for (const [index, entry] of entries.entries()) {
    const at = layout.entries[index]!;
    yield localHeader(at);
    let crc = 0;
    let written = 0;
    for await (const chunk of entry.chunks()) {
      written += chunk.byteLength;
      if (written > entry.size) {
        throw new CkptError("INTERNAL", `zip entry ${entry.name}: its source gave more than the ${entry.size} bytes announced`);
      }
      if (chunk.byteLength === 0) continue;
      crc = crc32(chunk, crc);
      yield chunk;
    }
    if (written !== entry.size) {
      throw new CkptError("INTERNAL", `zip entry ${entry.name}: its source gave ${written} bytes, ${entry.size} were announced`);
    }
    crcs.push(crc >>> 0);
    yield dataDescriptor(at, crc);
  }
  for (const [index, at] of layout.entries.entries()) yield centralHeader(at, crcs[index]!);
  yield endRecords(layout);
}

/** The local header: zero CRC and sizes (the descriptor has them), then the extra fields. */
export function localHeader(at: ZipEntryLayout): Uint8Array {
  const bytes = header(at.localHeaderSize);
  bytes.writeUInt32LE(SIG_LOCAL, 0);
  bytes.writeUInt16LE(at.zip64Sizes || at.zip64Offset ? VERSION_ZIP64 : VERSION_BASIC, 4);
  bytes.writeUInt16LE(FLAGS, 6);
  bytes.writeUInt16LE(METHOD_STORED, 8);
  bytes.writeUInt16LE(DOS_TIME, 10);
  bytes.writeUInt16LE(DOS_DATE, 12);
  // CRC (14) stays 0; the sizes are 0, or 0xFFFFFFFF pointing at the zip64 extra (which holds 0 too).
  if (at.zip64Sizes) {
    bytes.writeUInt32LE(U32_MAX, 18);
    bytes.writeUInt32LE(U32_MAX, 22);
  }
  bytes.writeUInt16LE(at.name.byteLength, 26);
  bytes.writeUInt16LE(at.localHeaderSize - LOCAL_SIZE - at.name.byteLength, 28);
  bytes.set(at.name, LOCAL_SIZE);
  let extra = LOCAL_SIZE + at.name.byteLength;
  if (at.zip64Sizes) {
    bytes.writeUInt16LE(EXTRA_ZIP64, extra);
    bytes.writeUInt16LE(16, extra + 2);
    extra += 4 + 16; // uncompressed and compressed size: 0, known only after the data
  }
  bytes.writeUInt16LE(EXTRA_PADDING, extra);
  bytes.writeUInt16LE(at.padding, extra + 2);
  bytes.fill(PAD_BYTE, extra + 4);
  return bytes;
}

/** What follows the data: CRC and sizes, 8-byte sizes when the local header declared zip64. */
export function dataDescriptor(at: ZipEntryLayout, crc: number): Uint8Array {
  const bytes = header(at.descriptorSize);
  bytes.writeUInt32LE(SIG_DESCRIPTOR, 0);
  bytes.writeUInt32LE(crc >>> 0, 4);
  if (at.zip64Sizes) {
    bytes.writeBigUInt64LE(BigInt(at.size), 8);
    bytes.writeBigUInt64LE(BigInt(at.size), 16);
  } else {
    bytes.writeUInt32LE(at.size, 8);
    bytes.writeUInt32LE(at.size, 12);
  }
  return bytes;
}

/** The central directory entry; saturated fields live in a zip64 extra (size, compressed size, offset). */
export function centralHeader(at: ZipEntryLayout, crc: number): Uint8Array {
  const bytes = header(at.centralHeaderSize);
  const zip64 = centralZip64Fields(at);
  bytes.writeUInt32LE(SIG_CENTRAL, 0);
  bytes.writeUInt16LE(MADE_BY, 4);
  bytes.writeUInt16LE(at.zip64Sizes || at.zip64Offset ? VERSION_ZIP64 : VERSION_BASIC, 6);
  bytes.writeUInt16LE(FLAGS, 8);
  bytes.writeUInt16LE(METHOD_STORED, 10);
  bytes.writeUInt16LE(DOS_TIME, 12);
  bytes.writeUInt16LE(DOS_DATE, 14);
  bytes.writeUInt32LE(crc >>> 0, 16);
  bytes.writeUInt32LE(at.zip64Sizes ? U32_MAX : at.size, 20);
  bytes.writeUInt32LE(at.zip64Sizes ? U32_MAX : at.size, 24);
  bytes.writeUInt16LE(at.name.byteLength, 28);
  bytes.writeUInt16LE(zip64.length ? 4 + zip64.length * 8 : 0, 30);
  // comment length, disk, internal attributes: 0
  bytes.writeUInt32LE(EXTERNAL_ATTRIBUTES, 38);
  bytes.writeUInt32LE(at.zip64Offset ? U32_MAX : at.localHeaderOffset, 42);
  bytes.set(at.name, CENTRAL_SIZE);
  if (zip64.length) {
    let extra = CENTRAL_SIZE + at.name.byteLength;
    bytes.writeUInt16LE(EXTRA_ZIP64, extra);
    bytes.writeUInt16LE(zip64.length * 8, extra + 2);
    extra += 4;
    for (const value of zip64) {
      bytes.writeBigUInt64LE(BigInt(value), extra);
      extra += 8;
    }
  }
  return bytes;
}

/** The zip64 end record, its locator, and the classic end record (saturated only where values overflow). */
export function endRecords(layout: ZipLayout): Uint8Array {
  const bytes = header(END_RECORDS_SIZE);
  const count = layout.entries.length;
  const { centralDirectoryOffset: cdOffset, centralDirectorySize: cdSize, zip64EndOffset } = layout;

  bytes.writeUInt32LE(SIG_ZIP64_EOCD, 0);
  bytes.writeBigUInt64LE(BigInt(ZIP64_EOCD_SIZE - 12), 4); // the record's size after this field
  bytes.writeUInt16LE(MADE_BY, 12);
  bytes.writeUInt16LE(VERSION_ZIP64, 14);
  // this disk, the directory's disk: 0
  bytes.writeBigUInt64LE(BigInt(count), 24);
  bytes.writeBigUInt64LE(BigInt(count), 32);
  bytes.writeBigUInt64LE(BigInt(cdSize), 40);
  bytes.writeBigUInt64LE(BigInt(cdOffset), 48);

  const locator = ZIP64_EOCD_SIZE;
  bytes.writeUInt32LE(SIG_ZIP64_LOCATOR, locator);
  // disk with the zip64 end record: 0
  bytes.writeBigUInt64LE(BigInt(zip64EndOffset), locator + 8);
  bytes.writeUInt32LE(1, locator + 16); // total disks

  const eocd = locator + ZIP64_LOCATOR_SIZE;
  bytes.writeUInt32LE(SIG_EOCD, eocd);
  // disk numbers: 0
  bytes.writeUInt16LE(Math.min(count, U16_MAX), eocd + 8);
  bytes.writeUInt16LE(Math.min(count, U16_MAX), eocd + 10);
  bytes.writeUInt32LE(cdSize >= ZIP64_THRESHOLD ? U32_MAX : cdSize, eocd + 12);
  bytes.writeUInt32LE(cdOffset >= ZIP64_THRESHOLD ? U32_MAX : cdOffset, eocd + 16);
  // comment length: 0
  return bytes;
}

/** The values a central entry's zip64 extra holds, in the order the format fixes. */
function centralZip64Fields(at: ZipEntryLayout): number[] {
  const fields: number[] = [];
  if (at.zip64Sizes) fields.push(at.size, at.size);
  if (at.zip64Offset) fields.push(at.localHeaderOffset);
  return fields;
}

/** A zeroed buffer for a header (small ones come from Node's shared pool, which is cheap). */
function header(size: number): Buffer {
  return Buffer.allocUnsafe(size).fill(0);
}
