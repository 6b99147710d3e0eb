/**
 * Writing LZ4 block sequences (token, literal run, 16-bit offset, match length), shared
 * by the fast and the hash-chain compressors, plus the block format's end-of-block rules.
 */

export const MIN_MATCH = 4;
/** The last 5 bytes of a block are always literals. */
export const LAST_LITERALS = 5;
/** The last match starts at least 12 bytes before the end of the block. */
export const MF_LIMIT = 12;
export const MAX_OFFSET = 65535;

/** Worst-case bytes a sequence needs besides its literals. */
function overhead(litLen: number, matchLen: number): number {
  return 1 + Math.ceil(litLen / 255) + 2 + Math.ceil(matchLen / 255);
}

/** Writes a length's extension bytes (255, 255, …, rest) after a nibble of 15. */
function writeLengthExtension(dst: Uint8Array, op: number, rest: number): number {
  while (rest >= 255) {
    dst[op++] = 255;
    rest -= 255;
  }
  dst[op++] = rest;
  return op;
}

function copyLiterals(dst: Uint8Array, op: number, src: Uint8Array, from: number, length: number): number {
  if (length > 32) {
    dst.set(src.subarray(from, from + length), op);
  } else {
    for (let i = 0; i < length; i++) dst[op + i] = src[from + i]!;
  }
  return op + length;
}

/**
 * One sequence: literals src[anchor, anchor+litLen), then a match of matchLen (>= 4)
 * bytes at distance offset. Returns the new output position, or -1 if it would pass dstEnd.
 */
export function writeSequence(
  dst: Uint8Array, op: number, dstEnd: number,
  src: Uint8Array, anchor: number, litLen: number, offset: number, matchLen: number,
): number {
  if (op + litLen + overhead(litLen, matchLen) > dstEnd) return -1;
  const tokenAt = op++;
  let token: number;
  if (litLen >= 15) {
    token = 15 << 4;
    op = writeLengthExtension(dst, op, litLen - 15);
  } else {
    token = litLen << 4;
  }
  op = copyLiterals(dst, op, src, anchor, litLen);
  dst[op++] = offset & 0xff;
  dst[op++] = offset >>> 8;
  const m = matchLen - MIN_MATCH;
  if (m >= 15) {
    token |= 15;
    op = writeLengthExtension(dst, op, m - 15);
  } else {
    token |= m;
  }
  dst[tokenAt] = token;
  return op;
}

/** The closing sequence: literals only. Returns the new output position, or -1 if it would pass dstEnd. */
export function writeLastLiterals(dst: Uint8Array, op: number, dstEnd: number, src: Uint8Array, anchor: number, litLen: number): number {
  if (op + litLen + 1 + Math.ceil(litLen / 255) > dstEnd) return -1;
  if (litLen >= 15) {
    dst[op++] = 15 << 4;
    op = writeLengthExtension(dst, op, litLen - 15);
  } else {
    dst[op++] = litLen << 4;
  }
  return copyLiterals(dst, op, src, anchor, litLen);
}
