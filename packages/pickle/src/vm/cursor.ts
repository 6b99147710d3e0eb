import { CkptError } from "@ckpt/core";

/**
 * Reads a pickle's bytes front to back. Every length is checked against the bytes
 * that are really there before anything is sliced, so a hostile length can neither
 * over-read nor allocate.
 */
export class Cursor {
  private readonly view: DataView;
  pos: number;

  constructor(readonly bytes: Uint8Array, start = 0) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  get remaining(): number {
    return this.bytes.byteLength - this.pos;
  }

  private need(n: number, what: string): void {
    if (n > this.remaining) {
      throw new CkptError("CORRUPT", `pickle ends inside ${what} at byte ${this.pos} (needs ${n} bytes, ${this.remaining} left)`);
    }
  }

  u8(what = "an opcode argument"): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }

  u16(): number {
    this.need(2, "a 2-byte argument");
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  i32(): number {
    this.need(4, "a 4-byte argument");
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u32(): number {
    this.need(4, "a 4-byte argument");
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** An unsigned 64-bit length; anything past 2^53 cannot fit in the bytes anyway. */
  u64(): number {
    this.need(8, "an 8-byte argument");
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }

  f64be(): number {
    this.need(8, "a float");
    const v = this.view.getFloat64(this.pos, false);
    this.pos += 8;
    return v;
  }

  /** `n` bytes as a view into the pickle (no copy). */
  take(n: number, what: string): Uint8Array {
    if (n < 0) throw new CkptError("CORRUPT", `pickle gives ${what} a negative length (${n}) at byte ${this.pos}`);
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A protocol-0 text argument: the bytes up to the next newline, which is consumed. */
  line(what: string): Uint8Array {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw new CkptError("CORRUPT", `pickle ends inside ${what} at byte ${this.pos} (no end of line)`);
    const out = this.bytes.subarray(this.pos, end);
    this.pos = end + 1;
    return out;
  }
}
