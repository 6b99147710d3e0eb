/**
 * The LZ4 frame decoder as a pull-based stream: any number of concatenated frames
 * (LZ4, skippable, legacy), linked or independent blocks of any maximum size, and
 * every checksum the frames carry verified. Memory stays near one block: nothing is
 * ever allocated from a size a header claims beyond the frame's block maximum size.
 */
import type { ByteTransform } from "@ckpt/core";
import { CkptError } from "@ckpt/core";
import { decompressBlock } from "./block-decompress.js";
import { ByteReader } from "./byte-reader.js";
import {
  BD_RESERVED, BLOCK_UNCOMPRESSED, FLG_BLOCK_CHECKSUM, FLG_BLOCK_INDEPENDENT, FLG_CONTENT_CHECKSUM, FLG_CONTENT_SIZE,
  FLG_DICT_ID, FLG_RESERVED, FRAME_MAGIC, LEGACY_BLOCK_SIZE, LEGACY_MAGIC, SKIPPABLE_MAGIC, SKIPPABLE_MAGIC_MASK, WINDOW,
  blockMaxSize, compressBound, hex32, lz4Corrupt,
} from "./frame-format.js";
import { XxHash32, xxhash32 } from "./xxhash32.js";

export function decompressFrames(): ByteTransform {
  return (input) => readFrames(input);
}

async function* readFrames(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = ByteReader.of(input);
  const buffers = new BufferPool();
  try {
    if (await reader.atEnd()) throw lz4Corrupt("empty input, no LZ4 frame");
    let frame = 0;
    let magic: number | null = await reader.readU32("a frame magic number");
    while (magic !== null) {
      frame++;
      if (magic === FRAME_MAGIC) {
        yield* readFrame(reader, buffers, frame);
        magic = (await reader.atEnd()) ? null : await reader.readU32("a frame magic number");
      } else if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
        const size = await reader.readU32("a skippable frame's size");
        await reader.skip(size, "a skippable frame");
        magic = (await reader.atEnd()) ? null : await reader.readU32("a frame magic number");
      } else if (magic === LEGACY_MAGIC) {
        magic = yield* readLegacyFrame(reader, buffers);
      } else {
        const where = frame === 1 ? "not an LZ4 frame" : `unexpected bytes after frame ${frame - 1}`;
        throw lz4Corrupt(`${where}: magic number ${hex32(magic)} at offset ${reader.position - 4}`);
      }
    }
  } finally {
    await reader.close();
  }
}

/** Decode buffers, kept across the frames of one stream when their size fits. */
class BufferPool {
  private window = new Uint8Array(0);

  get(size: number): Uint8Array {
    if (this.window.length !== size) this.window = new Uint8Array(size);
    return this.window;
  }
}

interface FrameDescriptor {
  independent: boolean;
  blockChecksum: boolean;
  contentChecksum: boolean;
  /** Declared content size; null when absent or 0 (0 means "unknown" to the reference decoder). */
  contentSize: bigint | null;
  blockMax: number;
}

async function readDescriptor(reader: ByteReader, frame: number): Promise<FrameDescriptor> {
  const start = await reader.read(2, "a frame header");
  const flg = start[0]!;
  const bd = start[1]!;
  if (flg >> 6 !== 1) throw lz4Corrupt(`frame ${frame}: unsupported frame version ${flg >> 6}`);
  if (flg & FLG_RESERVED || bd & BD_RESERVED) throw lz4Corrupt(`frame ${frame}: reserved header bits are set`);
  const blockId = (bd >> 4) & 7;
  if (blockId < 4) throw lz4Corrupt(`frame ${frame}: invalid block maximum size id ${blockId}`);
  const extra = (flg & FLG_CONTENT_SIZE ? 8 : 0) + (flg & FLG_DICT_ID ? 4 : 0);
  const rest = await reader.read(extra + 1, "a frame header");
  const described = new Uint8Array(2 + extra);
  described[0] = flg;
  described[1] = bd;
  described.set(rest.subarray(0, extra), 2);
  // The header checksum is the second byte of xxHash32 over FLG..DictID.
  if (((xxhash32(described) >>> 8) & 0xff) !== rest[extra]) throw lz4Corrupt(`frame ${frame}: header checksum mismatch`);
  if (flg & FLG_DICT_ID) {
    throw new CkptError("UNSUPPORTED", `lz4: frame ${frame} needs a dictionary (id ${hex32(u32(described, 2 + extra - 4))}), which ckpt does not have`);
  }
  let contentSize: bigint | null = null;
  if (flg & FLG_CONTENT_SIZE) {
    const size = (BigInt(u32(described, 6)) << 32n) | BigInt(u32(described, 2));
    if (size > 0n) contentSize = size;
  }
  return {
    independent: (flg & FLG_BLOCK_INDEPENDENT) !== 0,
    blockChecksum: (flg & FLG_BLOCK_CHECKSUM) !== 0,
    contentChecksum: (flg & FLG_CONTENT_CHECKSUM) !== 0,
    contentSize,
    blockMax: blockMaxSize(blockId),
  };
}

async function* readFrame(reader: ByteReader, buffers: BufferPool, frame: number): AsyncGenerator<Uint8Array> {
  const d = await readDescriptor(reader, frame);
  const hash = d.contentChecksum ? new XxHash32() : null;
  // Linked blocks keep the previous 64 KiB in front of the block being decoded.
  const window = buffers.get(d.independent ? d.blockMax : WINDOW + d.blockMax);
  let windowPos = 0;
  let produced = 0;
  const limit = d.contentSize !== null && d.contentSize <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(d.contentSize) : Infinity;

  for (let block = 1; ; block++) {
    const word = await reader.readU32("a block size");
    if (word === 0) break; // EndMark
    const size = (word & ~BLOCK_UNCOMPRESSED) >>> 0;
    const stored = (word & BLOCK_UNCOMPRESSED) !== 0;
    if (size > d.blockMax) {
      throw lz4Corrupt(`frame ${frame} block ${block}: size ${size} exceeds the frame's block maximum ${d.blockMax}`);
    }
    const at = reader.position;
    const data = await reader.read(size + (d.blockChecksum ? 4 : 0), "a block");
    if (d.blockChecksum && xxhash32(data.subarray(0, size)) !== u32(data, size)) {
      throw lz4Corrupt(`frame ${frame} block ${block}: block checksum mismatch`);
    }

    // Outputs are copies: consumers may keep what they are given, and buffers are reused.
    let out: Uint8Array;
    if (d.independent && stored) {
      out = data.slice(0, size);
    } else {
      if (d.independent) windowPos = 0;
      else if (windowPos + d.blockMax > window.length) {
        const keep = Math.min(windowPos, WINDOW);
        window.copyWithin(0, windowPos - keep, windowPos);
        windowPos = keep;
      }
      let end: number;
      if (stored) {
        window.set(data.subarray(0, size), windowPos);
        end = windowPos + size;
      } else {
        try {
          end = decompressBlock(data, 0, size, window, windowPos, windowPos + d.blockMax, 0);
        } catch (error) {
          throw withPlace(error, `frame ${frame} block ${block} (offset ${at})`);
        }
      }
      out = window.slice(windowPos, end);
      windowPos = end;
    }
    produced += out.length;
    if (produced > limit) throw lz4Corrupt(`frame ${frame}: content is longer than the ${d.contentSize} bytes its header declares`);
    hash?.update(out);
    if (out.length > 0) yield out;
  }

  if (hash && (await reader.readU32("the content checksum")) !== hash.digest()) {
    throw lz4Corrupt(`frame ${frame}: content checksum mismatch`);
  }
  if (d.contentSize !== null && BigInt(produced) !== d.contentSize) {
    throw lz4Corrupt(`frame ${frame}: content is ${produced} bytes but its header declares ${d.contentSize}`);
  }
}

/**
 * A legacy frame has no end mark: it ends at the end of input, or where a "block size"
 * is too large to be one, which is then the next frame's magic number (returned).
 */
async function* readLegacyFrame(reader: ByteReader, buffers: BufferPool): AsyncGenerator<Uint8Array, number | null> {
  const window = buffers.get(LEGACY_BLOCK_SIZE);
  const bound = compressBound(LEGACY_BLOCK_SIZE);
  for (let block = 1; ; block++) {
    if (await reader.atEnd()) return null;
    const size = await reader.readU32("a legacy block size");
    if (size > bound) return size;
    if (size === 0) throw lz4Corrupt(`legacy block ${block} is empty`);
    const data = await reader.read(size, "a legacy block");
    let end: number;
    try {
      end = decompressBlock(data, 0, size, window, 0, LEGACY_BLOCK_SIZE, 0);
    } catch (error) {
      throw withPlace(error, `legacy block ${block}`);
    }
    yield window.slice(0, end);
  }
}

function u32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

/** "lz4: what" → "lz4: where: what". */
function withPlace(error: unknown, where: string): unknown {
  if (error instanceof CkptError && error.message.startsWith("lz4: ")) return lz4Corrupt(`${where}: ${error.message.slice(5)}`);
  return error;
}
