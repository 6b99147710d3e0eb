/** Decompression with libzstd (through zstd-napi), which verifies content checksums itself. */
import type { ByteTransform, CkptError } from "@ckpt/core";
import { ChunkReader } from "./chunk-reader.js";
import { firstLine, zstdCorrupt } from "./errors.js";
import { eachFrame } from "./frame-header.js";
import type { ZstdBinding } from "./native-binding.js";
import { OutputBuffer } from "./output-buffer.js";

const OUT_SIZE = 1 << 20;

function nativeError(error: unknown, frameOffset: number): CkptError {
  const what = firstLine(error);
  const where = `in the frame at byte ${frameOffset}`;
  if (/checksum/i.test(what)) return zstdCorrupt(`content checksum mismatch ${where} (data damaged)`, error);
  return zstdCorrupt(`${what.charAt(0).toLowerCase()}${what.slice(1)} ${where}`, error);
}

export function nativeDecompress(zstd: ZstdBinding): ByteTransform {
  return async function* decompress(input) {
    const reader = ChunkReader.from(input);
    const dctx = new zstd.DCtx();
    const out = new OutputBuffer(OUT_SIZE, zstd.dStreamOutSize() / 2);
    try {
      // Frame boundaries are ours to find (eachFrame): trailing garbage, skippable frames
      // and header limits get the same treatment as in the fallback decoder.
      yield* eachFrame(reader, async function* (start) {
        let flushPending = false;
        for (;;) {
          // With the output full, libzstd may hold decoded bytes: flush them before asking for input.
          if (!flushPending && reader.buffered === 0 && !(await reader.ensure(1))) {
            throw zstdCorrupt(`truncated input: the frame at byte ${start.offset} ends early`);
          }
          let remaining: number;
          try {
            const space = out.space();
            const [hint, produced, consumed] = dctx.decompressStream(space, reader.peek());
            out.commit(produced);
            reader.consume(consumed);
            remaining = hint;
            flushPending = produced === space.length;
          } catch (error) {
            throw nativeError(error, start.offset);
          }
          const ready = out.takeIfFull();
          if (ready) yield ready;
          // 0: the frame is complete, checksum verified, everything flushed; libzstd stops
          // consuming at the frame's end, so the reader now sits on the next frame.
          if (remaining === 0) break;
        }
      });
      const rest = out.take();
      if (rest) yield rest;
    } finally {
      await reader.close();
    }
  };
}
