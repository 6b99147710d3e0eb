/**
 * The LZ4 block decoder. Every length is checked against the input left and the output
 * room left before anything is copied, and every offset against the history available,
 * so a hostile block can only make it throw. Each loop turn consumes at least one input
 * byte, so it always ends.
 */
import { lz4Corrupt } from "./frame-format.js";

/**
 * Decodes the block src[sp, srcEnd) into dst starting at dp, writing nothing at or past
 * dstEnd. Matches may reach back to dst[historyStart] (earlier blocks of a linked frame).
 * Returns the output position after the block.
 *
 * Short copies move 4 bytes at a time through DataViews and may write up to 3 bytes past
 * the copy's end (never past dstEnd); those bytes are overwritten by what follows or lie
 * beyond the block's end, so callers only ever see dst[start, returned end).
 */
export function decompressBlock(
  src: Uint8Array, sp: number, srcEnd: number,
  dst: Uint8Array, dp: number, dstEnd: number, historyStart: number,
): number {
  const input = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const output = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  while (sp < srcEnd) {
    const token = src[sp++]!;

    let litLen = token >>> 4;
    if (litLen === 15) {
      let b: number;
      do {
        if (sp >= srcEnd) throw lz4Corrupt("block ends inside a literal length");
        b = src[sp++]!;
        litLen += b;
      } while (b === 255);
    }
    if (litLen > srcEnd - sp) throw lz4Corrupt("literal run runs past the end of its block");
    if (litLen > dstEnd - dp) throw lz4Corrupt("block decodes to more than the block maximum size");
    if (litLen > 32) {
      dst.set(src.subarray(sp, sp + litLen), dp);
    } else if (sp + litLen + 4 <= srcEnd && dp + litLen + 4 <= dstEnd) {
      for (let i = 0; i < litLen; i += 4) output.setInt32(dp + i, input.getInt32(sp + i, true), true);
    } else {
      for (let i = 0; i < litLen; i++) dst[dp + i] = src[sp + i]!;
    }
    dp += litLen;
    sp += litLen;

    if (sp === srcEnd) break; // the last sequence has literals only
    if (srcEnd - sp < 2) throw lz4Corrupt("block ends inside a match offset");
    const offset = src[sp]! | (src[sp + 1]! << 8);
    sp += 2;
    if (offset === 0 || offset > dp - historyStart) throw lz4Corrupt("match offset points before the start of the data");

    let matchLen = (token & 15) + 4;
    if (matchLen === 19) {
      let b: number;
      do {
        if (sp >= srcEnd) throw lz4Corrupt("block ends inside a match length");
        b = src[sp++]!;
        matchLen += b;
      } while (b === 255);
    }
    if (matchLen > dstEnd - dp) throw lz4Corrupt("block decodes to more than the block maximum size");
    const ref = dp - offset;
    if (matchLen <= 32 && offset >= 4 && dp + matchLen + 4 <= dstEnd) {
      // Each 4-byte read lies at least 4 bytes behind the write, so overlaps repeat correctly.
      for (let i = 0; i < matchLen; i += 4) output.setInt32(dp + i, output.getInt32(ref + i, true), true);
    } else {
      copyMatch(dst, dp, ref, matchLen);
    }
    dp += matchLen;
  }
  return dp;
}

/** Copies a match; when it overlaps its source (offset < length) the bytes repeat with period `offset`. */
function copyMatch(dst: Uint8Array, dp: number, ref: number, length: number): void {
  const offset = dp - ref;
  if (length <= 32) {
    for (let i = 0; i < length; i++) dst[dp + i] = dst[ref + i]!;
  } else if (offset >= length) {
    dst.copyWithin(dp, ref, ref + length);
  } else {
    // Overlapping and long (runs of zeros, repeated patterns): copy the period, then keep
    // doubling the copied stretch; each copyWithin reads only bytes already written.
    let done = 0;
    let span = offset;
    while (done < length) {
      const n = Math.min(span, length - done);
      dst.copyWithin(dp + done, ref, ref + n);
      done += n;
      span = offset + done - (done % offset);
    }
  }
}
