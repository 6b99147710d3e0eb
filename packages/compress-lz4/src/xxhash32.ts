/**
 * xxHash32 with seed 0 (the checksum of the LZ4 frame format: header, block and content
 * checksums), written from the algorithm's description. All arithmetic is modulo 2^32
 * via Math.imul and `| 0` / `>>> 0`.
 */

const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function read32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

function round(acc: number, lane: number): number {
  return Math.imul(rotl((acc + Math.imul(lane, P2)) | 0, 13), P1);
}

/** Incremental xxHash32: feed any split of the input, get the same digest. */
export class XxHash32 {
  private v1 = (P1 + P2) | 0;
  private v2 = P2 | 0;
  private v3 = 0;
  private v4 = -P1 | 0;
  /** Total length modulo 2^32 is all the digest uses; a number holds it exactly up to 2^53. */
  private total = 0;
  /** Bytes of an unfinished 16-byte stripe. */
  private readonly pending = new Uint8Array(16);
  private pendingSize = 0;

  update(data: Uint8Array): this {
    const length = data.length;
    this.total += length;
    let i = 0;
    if (this.pendingSize > 0) {
      const take = Math.min(16 - this.pendingSize, length);
      this.pending.set(data.subarray(0, take), this.pendingSize);
      this.pendingSize += take;
      i = take;
      if (this.pendingSize < 16) return this;
      this.stripes(this.pending, 0, 16);
      this.pendingSize = 0;
    }
    const stripesEnd = i + ((length - i) & ~15);
    if (stripesEnd > i) this.stripes(data, i, stripesEnd);
    if (stripesEnd < length) {
      this.pending.set(data.subarray(stripesEnd), 0);
      this.pendingSize = length - stripesEnd;
    }
    return this;
  }

  digest(): number {
    let acc: number;
    if (this.total >= 16) {
      acc = (rotl(this.v1, 1) + rotl(this.v2, 7) + rotl(this.v3, 12) + rotl(this.v4, 18)) | 0;
    } else {
      acc = P5;
    }
    acc = (acc + (this.total % 0x1_0000_0000)) | 0;
    const b = this.pending;
    const end = this.pendingSize;
    let i = 0;
    for (; i + 4 <= end; i += 4) {
      acc = Math.imul(rotl((acc + Math.imul(read32(b, i), P3)) | 0, 17), P4);
    }
    for (; i < end; i++) {
      acc = Math.imul(rotl((acc + Math.imul(b[i]!, P5)) | 0, 11), P1);
    }
    acc ^= acc >>> 15;
    acc = Math.imul(acc, P2);
    acc ^= acc >>> 13;
    acc = Math.imul(acc, P3);
    acc ^= acc >>> 16;
    return acc >>> 0;
  }

  /** Consumes whole 16-byte stripes of b[start, end). DataView reads are the fastest lane reads in V8, at any alignment. */
  private stripes(b: Uint8Array, start: number, end: number): void {
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    let v1 = this.v1;
    let v2 = this.v2;
    let v3 = this.v3;
    let v4 = this.v4;
    for (let i = start; i < end; i += 16) {
      v1 = round(v1, view.getInt32(i, true));
      v2 = round(v2, view.getInt32(i + 4, true));
      v3 = round(v3, view.getInt32(i + 8, true));
      v4 = round(v4, view.getInt32(i + 12, true));
    }
    this.v1 = v1;
    this.v2 = v2;
    this.v3 = v3;
    this.v4 = v4;
  }
}

/** xxHash32 of `data` in one call. */
export function xxhash32(data: Uint8Array): number {
  return new XxHash32().update(data).digest();
}
