/** Compression with libzstd (through zstd-napi): one frame, content checksum, pledged size. */
import { CkptError, type ByteTransform } from "@ckpt/core";
import { firstLine } from "./errors.js";
import type { ZstdBinding } from "./native-binding.js";
import { OutputBuffer } from "./output-buffer.js";

const OUT_SIZE = 1 << 20;
const EMPTY = new Uint8Array(0);

function sizeMismatch(actual: string, pledged: number): CkptError {
  return new CkptError("INTERNAL", `zstd: the input was ${actual} bytes, but contentSize promised ${pledged}`);
}

export function nativeCompress(zstd: ZstdBinding, level: number, contentSize: number | undefined): ByteTransform {
  return async function* compress(input) {
    const cctx = new zstd.CCtx();
    cctx.setParameter(zstd.CParameter.compressionLevel, level);
    cctx.setParameter(zstd.CParameter.checksumFlag, 1);
    cctx.setParameter(zstd.CParameter.contentSizeFlag, 1);
    // Puts the size in the frame header (Python's one-shot decompress needs it).
    if (contentSize !== undefined) cctx.setPledgedSrcSize(contentSize);
    const out = new OutputBuffer(OUT_SIZE, zstd.cStreamOutSize());
    const step = (src: Uint8Array, directive: number): [remaining: number, consumed: number] => {
      try {
        const [remaining, produced, consumed] = cctx.compressStream2(out.space(), src, directive);
        out.commit(produced);
        return [remaining, consumed];
      } catch (error) {
        throw new CkptError("INTERNAL", `zstd: compression failed: ${firstLine(error)}`, { cause: error });
      }
    };

    let total = 0;
    for await (const chunk of input) {
      total += chunk.length;
      // libzstd checks the pledge too, but not on every path (a lone "end" call re-pledges).
      if (contentSize !== undefined && total > contentSize) throw sizeMismatch(`more than ${contentSize}`, contentSize);
      let src = chunk;
      while (src.length > 0) {
        const [, consumed] = step(src, zstd.EndDirective.continue);
        src = src.subarray(consumed);
        const ready = out.takeIfFull();
        if (ready) yield ready;
      }
    }
    if (contentSize !== undefined && total !== contentSize) throw sizeMismatch(String(total), contentSize);
    for (;;) {
      const [remaining] = step(EMPTY, zstd.EndDirective.end);
      const ready = remaining === 0 ? out.take() : out.takeIfFull();
      if (ready) yield ready;
      if (remaining === 0) break;
    }
  };
}
