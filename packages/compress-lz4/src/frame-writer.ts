/**
 * The LZ4 frame encoder as a pull-based stream: one frame of independent 4 MiB blocks,
 * content checksum on, content size in the header when the caller knows it. Memory stays
 * near one block: the block being filled and the compressed copy of it.
 */
import type { ByteTransform } from "@ckpt/core";
import { CkptError } from "@ckpt/core";
import { FastCompressor } from "./block-compress.js";
import { HcCompressor, hcSettings } from "./block-compress-hc.js";
import {
  BLOCK_UNCOMPRESSED, FLG_BLOCK_INDEPENDENT, FLG_CONTENT_CHECKSUM, FLG_CONTENT_SIZE, FLG_VERSION, FRAME_MAGIC, blockMaxSize,
} from "./frame-format.js";
import { XxHash32, xxhash32 } from "./xxhash32.js";

export const MIN_LEVEL = 0;
export const MAX_LEVEL = 16;
export const DEFAULT_LEVEL = 0;
/** Levels up to this one use the fast compressor; above it, the hash-chain search. */
const FAST_LEVELS = 2;

/** BD id 7: 4 MiB blocks, the lz4 CLI's default. */
const BLOCK_ID = 7;
const BLOCK_SIZE = blockMaxSize(BLOCK_ID);

export interface CompressOptions {
  level?: number;
  contentSize?: number;
}

interface BlockCompressor {
  compress(src: Uint8Array, dst: Uint8Array, dstStart: number, dstEnd: number): number;
}

export function compressFrames(options: CompressOptions = {}): ByteTransform {
  const level = options.level ?? DEFAULT_LEVEL;
  if (!Number.isInteger(level) || level < MIN_LEVEL || level > MAX_LEVEL) {
    throw new CkptError("USAGE", `lz4: level ${level} is out of range (${MIN_LEVEL}..${MAX_LEVEL})`);
  }
  const { contentSize } = options;
  if (contentSize !== undefined && !(Number.isSafeInteger(contentSize) && contentSize >= 0)) {
    throw new CkptError("USAGE", `lz4: content size ${contentSize} is not a byte count`);
  }
  return (input) => writeFrame(input, level, contentSize);
}

async function* writeFrame(input: AsyncIterable<Uint8Array>, level: number, contentSize: number | undefined): AsyncGenerator<Uint8Array> {
  const compressor: BlockCompressor = level <= FAST_LEVELS ? new FastCompressor() : new HcCompressor(hcSettings(level));
  const hash = new XxHash32();
  const block = new Uint8Array(BLOCK_SIZE);
  // A compressed block is kept only when smaller than the raw one, so BLOCK_SIZE bytes of room suffice.
  const scratch = new Uint8Array(4 + BLOCK_SIZE);
  let filled = 0;
  let total = 0;

  const encodeBlock = (raw: Uint8Array): Uint8Array => {
    hash.update(raw);
    const size = compressor.compress(raw, scratch, 4, 4 + raw.length - 1);
    let out: Uint8Array;
    if (size < 0) {
      out = new Uint8Array(4 + raw.length);
      out.set(raw, 4);
      writeU32(out, 0, (raw.length | BLOCK_UNCOMPRESSED) >>> 0);
    } else {
      out = scratch.slice(0, 4 + size);
      writeU32(out, 0, size);
    }
    return out;
  };

  yield frameHeader(contentSize);
  for await (const chunk of input) {
    total += chunk.length;
    if (contentSize !== undefined && total > contentSize) throw sizeMismatch(contentSize, `more than ${contentSize}`);
    let at = 0;
    while (at < chunk.length) {
      if (filled === 0 && chunk.length - at >= BLOCK_SIZE) {
        // A whole block straight from the chunk, without copying it into `block`.
        yield encodeBlock(chunk.subarray(at, at + BLOCK_SIZE));
        at += BLOCK_SIZE;
        continue;
      }
      const take = Math.min(BLOCK_SIZE - filled, chunk.length - at);
      block.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === BLOCK_SIZE) {
        yield encodeBlock(block);
        filled = 0;
      }
    }
  }
  if (contentSize !== undefined && total !== contentSize) throw sizeMismatch(contentSize, String(total));
  const tail = filled > 0 ? encodeBlock(block.subarray(0, filled)) : new Uint8Array(0);
  // Last block, EndMark (0) and the content checksum in one chunk.
  const end = new Uint8Array(tail.length + 8);
  end.set(tail, 0);
  writeU32(end, tail.length + 4, hash.digest());
  yield end;
}

/** Magic, FLG, BD, optional content size, header checksum. */
function frameHeader(contentSize: number | undefined): Uint8Array {
  // Content size 0 is written as "no content size": the reference tools read 0 as unknown.
  const withSize = contentSize !== undefined && contentSize > 0;
  const header = new Uint8Array(withSize ? 15 : 7);
  writeU32(header, 0, FRAME_MAGIC);
  header[4] = FLG_VERSION | FLG_BLOCK_INDEPENDENT | FLG_CONTENT_CHECKSUM | (withSize ? FLG_CONTENT_SIZE : 0);
  header[5] = BLOCK_ID << 4;
  if (withSize) {
    writeU32(header, 6, contentSize % 0x1_0000_0000);
    writeU32(header, 10, Math.floor(contentSize / 0x1_0000_0000));
  }
  header[header.length - 1] = (xxhash32(header.subarray(4, header.length - 1)) >>> 8) & 0xff;
  return header;
}

function writeU32(b: Uint8Array, i: number, value: number): void {
  b[i] = value & 0xff;
  b[i + 1] = (value >>> 8) & 0xff;
  b[i + 2] = (value >>> 16) & 0xff;
  b[i + 3] = (value >>> 24) & 0xff;
}

function sizeMismatch(expected: number, actual: string): CkptError {
  return new CkptError("INTERNAL", `lz4: the content size was given as ${expected} bytes but the input had ${actual}`);
}
