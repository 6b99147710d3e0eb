/**
 * The fast LZ4 block compressor (levels 0–2): one hash-table probe per position, greedy
 * matches, and a probe stride that grows while nothing matches, so incompressible data
 * is skimmed quickly (the same strategy as the reference's "fast" mode).
 */
import { LAST_LITERALS, MAX_OFFSET, MF_LIMIT, MIN_MATCH, writeLastLiterals, writeSequence } from "./block-encode.js";

const HASH_LOG = 12;
/** Every 2^SKIP_TRIGGER failed probes, the stride grows by one. */
const SKIP_TRIGGER = 6;

function hash(sequence: number): number {
  return Math.imul(sequence, 0x9e3779b1) >>> (32 - HASH_LOG);
}

/** Reusable state: one hash table, reset for every (independent) block. */
export class FastCompressor {
  private readonly table = new Int32Array(1 << HASH_LOG);

  /**
   * Compresses all of `src` as one independent block into dst[dstStart, dstEnd).
   * Returns the compressed length, or -1 when it does not fit (the caller then stores the block raw).
   */
  compress(src: Uint8Array, dst: Uint8Array, dstStart: number, dstEnd: number): number {
    const n = src.length;
    let op = dstStart;
    let anchor = 0;
    if (n >= MF_LIMIT + 1) {
      const table = this.table;
      const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
      // Zero means "position 0", which is always a real position of this block; the
      // offset and 4-byte checks below reject any candidate that does not match.
      table.fill(0);
      const mfLimit = n - MF_LIMIT; // a match may start at or before this position
      const matchLimit = n - LAST_LITERALS; // and must end at or before this one
      let ip = 1;
      outer: while (true) {
        let ref = 0;
        let attempts = 1 << SKIP_TRIGGER;
        // Find a match: probe, remember this position, stride on.
        while (true) {
          if (ip > mfLimit) break outer;
          const sequence = view.getInt32(ip, true);
          const h = hash(sequence);
          ref = table[h]!;
          table[h] = ip;
          if (ip - ref <= MAX_OFFSET && view.getInt32(ref, true) === sequence) break;
          ip += attempts++ >> SKIP_TRIGGER;
        }
        // Grow the match backwards over bytes not yet emitted, then forwards.
        while (ip > anchor && ref > 0 && src[ip - 1] === src[ref - 1]) {
          ip--;
          ref--;
        }
        let length = MIN_MATCH;
        while (ip + length + 4 <= matchLimit && view.getInt32(ip + length, true) === view.getInt32(ref + length, true)) length += 4;
        while (ip + length < matchLimit && src[ip + length] === src[ref + length]) length++;
        op = writeSequence(dst, op, dstEnd, src, anchor, ip - anchor, ip - ref, length);
        if (op < 0) return -1;
        ip += length;
        anchor = ip;
        if (ip > mfLimit) break;
        // Index a position inside the match, so the next search sees recent history.
        table[hash(view.getInt32(ip - 2, true))] = ip - 2;
      }
    }
    op = writeLastLiterals(dst, op, dstEnd, src, anchor, n - anchor);
    return op < 0 ? -1 : op - dstStart;
  }
}
