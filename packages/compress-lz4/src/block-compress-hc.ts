/**
 * The searching LZ4 block compressor (levels 3–16): every position goes into a hash
 * chain, each match search walks up to `attempts` earlier positions with the same hash,
 * a match is deferred by one byte while the next position has a longer one (lazy
 * matching), and a chosen match grows backwards over pending literals. Slower than the
 * fast compressor; smaller output.
 */
import { LAST_LITERALS, MAX_OFFSET, MF_LIMIT, MIN_MATCH, writeLastLiterals, writeSequence } from "./block-encode.js";

const HASH_LOG = 16;

function hash(sequence: number): number {
  return Math.imul(sequence, 0x9e3779b1) >>> (32 - HASH_LOG);
}

export interface HcSettings {
  /** Chain entries examined per search. */
  attempts: number;
  /** A match this long ends the search early. */
  niceLength: number;
}

/**
 * The search effort of a level 3..16: candidates per search double with each level, 4 at
 * level 3 up to 256 at level 9 (the reference lz4 -3 … -9 use the same counts) and 16384
 * from level 15; the length that ends a search early doubles too (64 at level 3, unlimited
 * from level 13).
 */
export function hcSettings(level: number): HcSettings {
  return { attempts: Math.min(16384, 1 << (level - 1)), niceLength: Math.min(65536, 64 << (level - 3)) };
}

export class HcCompressor {
  /** Most recent position for each hash, -1 for none. */
  private readonly head = new Int32Array(1 << HASH_LOG);
  /** chain[p & 0xffff]: distance back from p to the previous position with p's hash (0 = none in reach). */
  private readonly chain = new Uint16Array(1 << 16);
  private src: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(new ArrayBuffer(0));
  private nextInsert = 0;
  private matchLimit = 0;
  private bestRef = 0;

  constructor(private readonly settings: HcSettings) {}

  /** Same contract as FastCompressor.compress. */
  compress(src: Uint8Array, dst: Uint8Array, dstStart: number, dstEnd: number): number {
    const n = src.length;
    let op = dstStart;
    let anchor = 0;
    if (n >= MF_LIMIT + 1) {
      this.head.fill(-1);
      this.src = src;
      this.view = new DataView(src.buffer, src.byteOffset, src.byteLength);
      this.nextInsert = 0;
      this.matchLimit = n - LAST_LITERALS;
      const mfLimit = n - MF_LIMIT;
      let ip = 0;
      while (ip <= mfLimit) {
        let length = this.longestMatch(ip);
        if (length < MIN_MATCH) {
          ip++;
          continue;
        }
        let ref = this.bestRef;
        // Lazy: while the next position offers a longer match, emit one more literal instead.
        while (ip + 1 <= mfLimit) {
          const next = this.longestMatch(ip + 1);
          if (next <= length) break;
          ip++;
          length = next;
          ref = this.bestRef;
        }
        // Grow the match backwards over literals not yet emitted.
        while (ip > anchor && ref > 0 && src[ip - 1] === src[ref - 1]) {
          ip--;
          ref--;
          length++;
        }
        op = writeSequence(dst, op, dstEnd, src, anchor, ip - anchor, ip - ref, length);
        if (op < 0) return -1;
        ip += length;
        anchor = ip;
      }
    }
    op = writeLastLiterals(dst, op, dstEnd, src, anchor, n - anchor);
    return op < 0 ? -1 : op - dstStart;
  }

  /** Adds positions up to (not including) `end` to the hash chains. */
  private insertUpTo(end: number): void {
    const { view, head, chain } = this;
    for (let p = this.nextInsert; p < end; p++) {
      const h = hash(view.getInt32(p, true));
      const previous = head[h]!;
      const distance = p - previous;
      chain[p & 0xffff] = previous < 0 || distance > MAX_OFFSET ? 0 : distance;
      head[h] = p;
    }
    if (end > this.nextInsert) this.nextInsert = end;
  }

  /** Length of the longest match for ip (0 if none of at least 4 bytes); its position goes to bestRef. */
  private longestMatch(ip: number): number {
    this.insertUpTo(ip);
    const { src, view, chain, matchLimit } = this;
    const { niceLength } = this.settings;
    const maxLength = matchLimit - ip;
    const sequence = view.getInt32(ip, true);
    let ref = this.head[hash(sequence)]!;
    let best = MIN_MATCH - 1;
    let attempts = this.settings.attempts;
    while (ref >= 0 && ip - ref <= MAX_OFFSET && attempts-- > 0) {
      // Cheap reject first: a longer match must agree at the byte just past the current best.
      if (src[ref + best] === src[ip + best] && view.getInt32(ref, true) === sequence) {
        let length = MIN_MATCH;
        while (length + 4 <= maxLength && view.getInt32(ip + length, true) === view.getInt32(ref + length, true)) length += 4;
        while (length < maxLength && src[ip + length] === src[ref + length]) length++;
        if (length > best) {
          best = length;
          this.bestRef = ref;
          if (length >= niceLength || length >= maxLength) break;
        }
      }
      const step = chain[ref & 0xffff]!;
      if (step === 0) break;
      ref -= step;
    }
    return best >= MIN_MATCH ? best : 0;
  }
}
