/**
 * Streaming XXH64 (seed 0), the hash behind zstd's content checksum: a frame stores the
 * low 32 bits of XXH64 over its decompressed bytes, little-endian.
 *
 * The hot loop (32-byte stripes) works on 64-bit lanes held as two 32-bit halves, because
 * BigInt arithmetic is far too slow for gigabytes (this runs at ~600 MB/s); the
 * once-per-frame finalisation uses BigInt, which keeps that part short and plainly correct.
 */

const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;
const MASK = 0xffffffffffffffffn;

// P1 and P2 as 32-bit halves for the hot loop.
const P1_HI = 0x9e3779b1;
const P1_LO = 0x85ebca87;
const P2_HI = 0xc2b2ae3d;
const P2_LO = 0x27d4eb4f;

/**
 * High 32 bits of the unsigned 64-bit product a * b, for a uint32 `a` (int32 bit pattern
 * accepted) and b given as 16-bit limbs; every partial product fits a double exactly.
 */
function mulHigh(a: number, b1: number, b0: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const m1 = a1 * b0 + ((a0 * b0) >>> 16);
  const m2 = a0 * b1 + (m1 & 0xffff);
  return a1 * b1 + (m1 >>> 16) + (m2 >>> 16);
}

/**
 * One XXH64 round on lane k of `l` (hi at 2k, lo at 2k+1): acc = rotl(acc + input * P2, 31) * P1.
 * Writing into an Int32Array keeps every intermediate an int32: no heap numbers in the loop.
 */
function round(l: Int32Array, k: number, inHi: number, inLo: number): void {
  const hi = l[k] as number;
  const lo = l[k + 1] as number;
  // input * P2 (mod 2^64)
  const pLo = Math.imul(inLo, P2_LO);
  const pHi = (mulHigh(inLo, P2_LO >>> 16, P2_LO & 0xffff) + Math.imul(inHi, P2_LO) + Math.imul(inLo, P2_HI)) | 0;
  // acc + product, carrying from the low half
  const aLo = (lo + pLo) | 0;
  const aHi = (hi + pHi + ((aLo >>> 0) < (pLo >>> 0) ? 1 : 0)) | 0;
  // rotl 31 = swap halves, then rotate right by 1
  const rHi = (aLo >>> 1) | (aHi << 31);
  const rLo = (aHi >>> 1) | (aLo << 31);
  // * P1 (mod 2^64)
  l[k + 1] = Math.imul(rLo, P1_LO);
  l[k] = mulHigh(rLo, P1_LO >>> 16, P1_LO & 0xffff) + Math.imul(rHi, P1_LO) + Math.imul(rLo, P1_HI);
}

/** Little-endian 32-bit word at i, as an int32 (callers that need it unsigned add >>> 0). */
function readU32(d: Uint8Array, i: number): number {
  return (d[i] as number) | ((d[i + 1] as number) << 8) | ((d[i + 2] as number) << 16) | ((d[i + 3] as number) << 24);
}

function toBig(hi: number, lo: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK;
}

function roundBig(acc: bigint, input: bigint): bigint {
  return (rotl((acc + input * P2) & MASK, 31n) * P1) & MASK;
}

export class Xxh64 {
  // The four lanes v1..v4 as (hi, lo) pairs, initialised for seed 0.
  private readonly lanes = new Int32Array(8);
  private readonly pending = new Uint8Array(32);
  private pendingLength = 0;
  private total = 0;

  constructor() {
    const init = [(P1 + P2) & MASK, P2, 0n, (-P1) & MASK];
    init.forEach((v, i) => {
      this.lanes[2 * i] = Number(v >> 32n);
      this.lanes[2 * i + 1] = Number(v & 0xffffffffn);
    });
  }

  update(data: Uint8Array): this {
    this.total += data.length;
    let offset = 0;
    if (this.pendingLength > 0) {
      const take = Math.min(32 - this.pendingLength, data.length);
      this.pending.set(data.subarray(0, take), this.pendingLength);
      this.pendingLength += take;
      offset = take;
      if (this.pendingLength < 32) return this;
      this.stripes(this.pending, 0, 32);
      this.pendingLength = 0;
    }
    const end = data.length - ((data.length - offset) % 32);
    if (end > offset) this.stripes(data, offset, end);
    if (end < data.length) {
      this.pending.set(data.subarray(end), 0);
      this.pendingLength = data.length - end;
    }
    return this;
  }

  /** The full 64-bit digest of everything hashed so far (does not reset). */
  digest(): bigint {
    const l = this.lanes;
    let h: bigint;
    if (this.total >= 32) {
      const v = [0, 1, 2, 3].map((i) => toBig((l[2 * i] as number) >>> 0, (l[2 * i + 1] as number) >>> 0));
      const [v1, v2, v3, v4] = v as [bigint, bigint, bigint, bigint];
      h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & MASK;
      for (const lane of v) h = (((h ^ roundBig(0n, lane)) * P1 + P4) & MASK);
    } else {
      h = P5;
    }
    h = (h + BigInt(this.total)) & MASK;
    const p = this.pending;
    let i = 0;
    for (; i + 8 <= this.pendingLength; i += 8) {
      const k = roundBig(0n, toBig(readU32(p, i + 4) >>> 0, readU32(p, i) >>> 0));
      h = (rotl(h ^ k, 27n) * P1 + P4) & MASK;
    }
    if (i + 4 <= this.pendingLength) {
      h = (rotl(h ^ ((BigInt(readU32(p, i) >>> 0) * P1) & MASK), 23n) * P2 + P3) & MASK;
      i += 4;
    }
    for (; i < this.pendingLength; i++) {
      h = (rotl(h ^ ((BigInt(p[i] as number) * P5) & MASK), 11n) * P1) & MASK;
    }
    h ^= h >> 33n;
    h = (h * P2) & MASK;
    h ^= h >> 29n;
    h = (h * P3) & MASK;
    h ^= h >> 32n;
    return h;
  }

  /** What a zstd frame stores: the digest's low 32 bits. */
  digestLow32(): number {
    return Number(this.digest() & 0xffffffffn);
  }

  private stripes(d: Uint8Array, start: number, end: number): void {
    const l = this.lanes;
    const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
    for (let i = start; i < end; i += 32) {
      round(l, 0, v.getInt32(i + 4, true), v.getInt32(i, true));
      round(l, 2, v.getInt32(i + 12, true), v.getInt32(i + 8, true));
      round(l, 4, v.getInt32(i + 20, true), v.getInt32(i + 16, true));
      round(l, 6, v.getInt32(i + 28, true), v.getInt32(i + 24, true));
    }
  }
}

/** XXH64 of one buffer, seed 0. */
export function xxh64(data: Uint8Array): bigint {
  return new Xxh64().update(data).digest();
}
