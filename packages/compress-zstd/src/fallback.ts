/**
 * Pure-JS decompression with fzstd, for where the native binding cannot load (browsers).
 *
 * fzstd decodes blocks but neither checks the content checksum nor the content size, and
 * its one-shot API holds the whole output. So this module walks the frame structure itself
 * (headers, block headers, checksum), feeds fzstd's streaming decoder one block at a time,
 * and hashes what comes out with XXH64. Memory stays at one window plus one block.
 */
import { Decompress } from "fzstd";
import type { ByteTransform } from "@ckpt/core";
import { ChunkReader } from "./chunk-reader.js";
import { firstLine, formatBytes, zstdCorrupt } from "./errors.js";
import { eachFrame, type FrameHeader } from "./frame-header.js";
import { Xxh64 } from "./xxhash64.js";

const EMPTY = new Uint8Array(0);
const RESERVED_BLOCK = 3;
const RLE_BLOCK = 1;

/** Exact when it can be; a header may claim more than 2^53. */
const byteCount = (n: number) => (Number.isSafeInteger(n) ? `${n} bytes` : formatBytes(n));

export function fallbackDecompress(): ByteTransform {
  return async function* decompress(input) {
    const reader = ChunkReader.from(input);
    try {
      yield* eachFrame(reader, (frame) => decodeFrame(reader, frame.header, frame.offset));
    } finally {
      await reader.close();
    }
  };
}

async function* decodeFrame(reader: ChunkReader, header: FrameHeader, offset: number): AsyncGenerator<Uint8Array> {
  const where = `the frame at byte ${offset}`;
  const truncated = () => zstdCorrupt(`truncated input: ${where} ends early`);
  const hash = header.checksum ? new Xxh64() : undefined;
  const decoded: Uint8Array[] = [];
  let finished = false;
  const decoder = new Decompress((data, final) => {
    if (data.length > 0) decoded.push(data);
    if (final) finished = true;
  });
  const push = (bytes: Uint8Array, final: boolean) => {
    try {
      decoder.push(bytes, final);
    } catch (error) {
      throw zstdCorrupt(`${firstLine(error)} in ${where}`, error);
    }
  };
  let size = 0;
  // Counts, hashes and hands out what fzstd decoded so far.
  function* drain(): Generator<Uint8Array> {
    for (const data of decoded.splice(0)) {
      size += data.length;
      if (header.contentSize !== undefined && size > header.contentSize) {
        throw zstdCorrupt(`${where} holds more than the ${byteCount(header.contentSize)} its header records`);
      }
      hash?.update(data);
      yield data;
    }
  }

  push(reader.read(header.headerSize), false);
  for (let last = false; !last; ) {
    if (!(await reader.ensure(3))) throw truncated();
    const head = reader.peek();
    const bits = (head[0] as number) | ((head[1] as number) << 8) | ((head[2] as number) << 16);
    last = (bits & 1) === 1;
    const type = (bits >> 1) & 3;
    const blockSize = bits >>> 3;
    if (type === RESERVED_BLOCK) throw zstdCorrupt(`reserved block type at byte ${reader.offset} in ${where}`);
    if (blockSize > header.blockSizeMax) {
      throw zstdCorrupt(`a ${blockSize}-byte block at byte ${reader.offset} is over the ${header.blockSizeMax}-byte block limit of ${where}`);
    }
    const length = 3 + (type === RLE_BLOCK ? 1 : blockSize);
    if (!(await reader.ensure(length))) throw truncated();
    push(reader.read(length), false);
    yield* drain();
  }

  let stored: number | undefined;
  if (header.checksum) {
    if (!(await reader.ensure(4))) throw truncated();
    const bytes = reader.read(4);
    stored = ((bytes[0] as number) | ((bytes[1] as number) << 8) | ((bytes[2] as number) << 16) | ((bytes[3] as number) << 24)) >>> 0;
    // fzstd expects the checksum bytes to close the frame; it skips them unread.
    push(bytes, true);
  } else {
    push(EMPTY, true);
  }
  yield* drain();
  if (!finished) throw zstdCorrupt(`${where} did not end where its last block says (damaged block)`);
  if (header.contentSize !== undefined && size !== header.contentSize) {
    throw zstdCorrupt(`${where} holds ${byteCount(size)} but its header records ${byteCount(header.contentSize)}`);
  }
  if (hash && stored !== undefined && hash.digestLow32() !== stored) {
    throw zstdCorrupt(`content checksum mismatch in ${where} (data damaged)`);
  }
}
