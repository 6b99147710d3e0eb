/**
 * Zstandard frame headers and skippable frames (RFC 8878 §3.1), read before any decoder
 * sees a frame so both decoders share one set of limits and one set of messages.
 */
import { CkptError } from "@ckpt/core";
import type { ChunkReader } from "./chunk-reader.js";
import { formatBytes, zstdCorrupt } from "./errors.js";

export const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames use magics 0x184D2A50..0x184D2A5F. */
const SKIPPABLE_MAGIC = 0x184d2a50;
/** Magic (4) + descriptor (1) + window (1) + dictionary ID (4) + content size (8). */
export const MAX_HEADER_SIZE = 18;
/** libzstd's default decoder limit (windowLog 27): every standard level fits; --long=28+ does not. */
export const WINDOW_LIMIT = 2 ** 27;
/** The largest window libzstd can produce (windowLog 31); anything above is a damaged header. */
const WINDOW_ABSURD = 2 ** 31;
export const BLOCK_SIZE_MAX = 128 * 1024;

export interface FrameHeader {
  /** Bytes from the magic number to the first block header. */
  headerSize: number;
  windowSize: number;
  /** Decompressed size recorded in the header, when it is. */
  contentSize: number | undefined;
  checksum: boolean;
  dictionaryId: number;
  /** Block_Maximum_Size: no block may claim more. */
  blockSizeMax: number;
}

export type FrameStart =
  | { kind: "frame"; offset: number; header: FrameHeader }
  | { kind: "skippable"; offset: number; size: number };

type Parsed = { need: number } | { header: FrameHeader } | { skip: number } | { bad: "magic" | "reserved" };

function u32(b: Uint8Array, i: number): number {
  return ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> 0;
}

/** Little-endian unsigned integer of `size` bytes; above 2^53 it is approximate, which only ever matters for absurd sizes. */
function uint(b: Uint8Array, i: number, size: number): number {
  let value = 0;
  for (let k = size - 1; k >= 0; k--) value = value * 256 + (b[i + k] as number);
  return value;
}

/** Classifies the bytes at a frame boundary, or says how many are needed to do so. */
function parse(b: Uint8Array): Parsed {
  if (b.length < 4) return { need: 4 };
  const magic = u32(b, 0);
  if ((magic & 0xfffffff0) >>> 0 === SKIPPABLE_MAGIC) return b.length < 8 ? { need: 8 } : { skip: 8 + u32(b, 4) };
  if (magic !== ZSTD_MAGIC) return { bad: "magic" };
  if (b.length < 5) return { need: 5 };
  const descriptor = b[4] as number;
  if ((descriptor & 0x08) !== 0) return { bad: "reserved" };
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor & 0x20) !== 0;
  const dictFlag = descriptor & 3;
  const dictSize = [0, 1, 2, 4][dictFlag] as number;
  const fcsSize = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
  const headerSize = 5 + (singleSegment ? 0 : 1) + dictSize + fcsSize;
  if (b.length < headerSize) return { need: headerSize };

  let at = 5;
  let windowSize = 0;
  if (!singleSegment) {
    const wd = b[at++] as number;
    const base = 2 ** (10 + (wd >> 3));
    windowSize = base + (base / 8) * (wd & 7);
  }
  const dictionaryId = uint(b, at, dictSize);
  at += dictSize;
  let contentSize: number | undefined;
  if (fcsSize > 0) contentSize = uint(b, at, fcsSize) + (fcsSize === 2 ? 256 : 0);
  if (singleSegment) windowSize = contentSize as number;
  return {
    header: {
      headerSize,
      windowSize,
      contentSize,
      checksum: (descriptor & 0x04) !== 0,
      dictionaryId,
      blockSizeMax: Math.min(windowSize, BLOCK_SIZE_MAX),
    },
  };
}

function isMagicPrefix(b: Uint8Array): boolean {
  const zstd = [0x28, 0xb5, 0x2f, 0xfd];
  const skippable = [0x2a, 0x4d, 0x18];
  const matchesZstd = [...b].every((byte, i) => byte === zstd[i]);
  const matchesSkippable = [...b].every((byte, i) => (i === 0 ? (byte & 0xf0) === 0x50 : byte === skippable[i - 1]));
  return matchesZstd || matchesSkippable;
}

/** Refuses headers no decoder here should act on, before anything is allocated for them. */
function checkHeader(header: FrameHeader, offset: number): void {
  const where = `the frame at byte ${offset}`;
  if (header.windowSize > WINDOW_ABSURD) {
    throw zstdCorrupt(`${where} claims a ${formatBytes(header.windowSize)} window, more than any zstd encoder writes (damaged header)`);
  }
  if (header.windowSize > WINDOW_LIMIT) {
    const size = formatBytes(header.windowSize);
    throw new CkptError("LIMIT", `zstd: ${where} needs a ${size} window, over the 128 MiB limit (written with --long=28 or more?)`);
  }
  if (header.dictionaryId !== 0) {
    throw new CkptError("UNSUPPORTED", `zstd: ${where} needs dictionary ${header.dictionaryId}; ckpt does not use zstd dictionaries`);
  }
}

/**
 * Reads (without consuming) what starts at the current position: a zstd frame whose header
 * passed the checks, a skippable frame, or undefined at the clean end of the input.
 * Anything else throws: not zstd at all, trailing data after the last frame, a cut-off header.
 */
export async function readFrameStart(reader: ChunkReader, framesSeen: number): Promise<FrameStart | undefined> {
  if (!(await reader.ensure(1))) return undefined;
  const offset = reader.offset;
  let need = 4;
  for (;;) {
    const complete = await reader.ensure(need);
    const bytes = reader.peek().subarray(0, MAX_HEADER_SIZE);
    const parsed = parse(bytes);
    if ("header" in parsed) {
      checkHeader(parsed.header, offset);
      return { kind: "frame", offset, header: parsed.header };
    }
    if ("skip" in parsed) return { kind: "skippable", offset, size: parsed.skip };
    if ("need" in parsed) {
      if (complete) {
        need = parsed.need;
        continue;
      }
      if (bytes.length >= 4 || isMagicPrefix(bytes)) {
        throw zstdCorrupt(`truncated input: the frame header at byte ${offset} is cut short`);
      }
    }
    if ("bad" in parsed && parsed.bad === "reserved") {
      throw zstdCorrupt(`the frame header at byte ${offset} has its reserved bit set`);
    }
    if (framesSeen > 0) throw zstdCorrupt(`unexpected data after the last frame, at byte ${offset} (${describe(bytes)})`);
    throw zstdCorrupt(`not zstd data (starts with ${describe(bytes)}, expected 28 b5 2f fd)`);
  }
}

function describe(bytes: Uint8Array): string {
  return [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

/**
 * Every data frame of a stream, in order, each decoded by `decodeFrame` (which must
 * consume exactly its frame from `reader`). Skippable frames are stepped over; an input
 * without any frame is refused. Both decoders walk frames this way, so they accept and
 * refuse the same streams.
 */
export async function* eachFrame(
  reader: ChunkReader,
  decodeFrame: (frame: Extract<FrameStart, { kind: "frame" }>) => AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  let frames = 0;
  for (;;) {
    const start = await readFrameStart(reader, frames);
    if (!start) break;
    frames++;
    if (start.kind === "skippable") {
      if (!(await reader.skip(start.size))) throw zstdCorrupt(`truncated input: the skippable frame at byte ${start.offset} ends early`);
      continue;
    }
    yield* decodeFrame(start);
  }
  if (frames === 0) throw zstdCorrupt("empty input (no zstd frame)");
}
