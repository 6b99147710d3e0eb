import { OP } from "../vm/opcodes.js";

/**
 * A growing byte buffer with one method per pickle opcode family, written the way
 * CPython's pickler writes them for protocol 2 (the smallest fitting int opcode,
 * BINFLOAT, BINUNICODE, BINPUT/LONG_BINPUT).
 */
export class Emitter {
  private bytes = new Uint8Array(1024);
  private view = new DataView(this.bytes.buffer);
  private length = 0;

  /** The pickle so far (a copy trimmed to its length). */
  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }

  private reserve(extra: number): number {
    const at = this.length;
    const needed = at + extra;
    if (needed > this.bytes.byteLength) {
      const grown = new Uint8Array(Math.max(needed, this.bytes.byteLength * 2));
      grown.set(this.bytes.subarray(0, at));
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length = needed;
    return at;
  }

  /** Reserves `n` bytes: the view to write them through (the buffer may have grown) and their offset. */
  private slot(n: number): [DataView, number] {
    const at = this.reserve(n);
    return [this.view, at];
  }

  op(code: number): void {
    const at = this.reserve(1); // first: reserving may replace this.bytes
    this.bytes[at] = code;
  }

  raw(data: Uint8Array): void {
    const at = this.reserve(data.byteLength);
    this.bytes.set(data, at);
  }

  proto(version: number): void {
    this.op(OP.PROTO);
    this.op(version);
  }

  /** An int, with the opcode CPython's `save_long` picks for protocol 2. */
  int(value: bigint): void {
    if (value >= 0n && value <= 0xffn) {
      this.op(OP.BININT1);
      this.op(Number(value));
    } else if (value >= 0n && value <= 0xffffn) {
      this.op(OP.BININT2);
      const [view, at] = this.slot(2);
      view.setUint16(at, Number(value), true);
    } else if (value >= -0x8000_0000n && value <= 0x7fff_ffffn) {
      this.op(OP.BININT);
      const [view, at] = this.slot(4);
      view.setInt32(at, Number(value), true);
    } else {
      const encoded = encodeLong(value);
      if (encoded.byteLength < 256) {
        this.op(OP.LONG1);
        this.op(encoded.byteLength);
      } else {
        this.op(OP.LONG4);
        const [view, at] = this.slot(4);
        view.setUint32(at, encoded.byteLength, true);
      }
      this.raw(encoded);
    }
  }

  /** A float as BINFLOAT: 8 bytes, big-endian IEEE double (NaN and ±Inf included). */
  float(value: number): void {
    this.op(OP.BINFLOAT);
    const [view, at] = this.slot(8);
    view.setFloat64(at, value, false);
  }

  str(value: string): void {
    const encoded = utf8SurrogatePass(value);
    this.op(OP.BINUNICODE);
    const [view, at] = this.slot(4);
    view.setUint32(at, encoded.byteLength, true);
    this.raw(encoded);
  }

  /** `GLOBAL module\nname\n` (ASCII names, as protocol 2 requires). */
  global(module: string, name: string): void {
    this.op(OP.GLOBAL);
    this.raw(new TextEncoder().encode(`${module}\n${name}\n`));
  }

  put(index: number): void {
    if (index < 256) {
      this.op(OP.BINPUT);
      this.op(index);
    } else {
      this.op(OP.LONG_BINPUT);
      const [view, at] = this.slot(4);
      view.setUint32(at, index, true);
    }
  }

  get(index: number): void {
    if (index < 256) {
      this.op(OP.BINGET);
      this.op(index);
    } else {
      this.op(OP.LONG_BINGET);
      const [view, at] = this.slot(4);
      view.setUint32(at, index, true);
    }
  }
}

/** Python's `pickle.encode_long`: minimal little-endian two's complement, `b""` for 0. */
export function encodeLong(value: bigint): Uint8Array {
  if (value === 0n) return new Uint8Array();
  const out: number[] = [];
  let rest = value;
  // Emit bytes until the remaining value is pure sign extension of the last byte written.
  for (;;) {
    const byte = Number(rest & 0xffn);
    out.push(byte);
    rest >>= 8n;
    if ((rest === 0n && (byte & 0x80) === 0) || (rest === -1n && (byte & 0x80) !== 0)) break;
  }
  return Uint8Array.from(out);
}

/**
 * UTF-8 as Python's pickle writes str ("surrogatepass"): a lone surrogate, which a
 * JavaScript string may hold, becomes its 3-byte form instead of U+FFFD.
 */
export function utf8SurrogatePass(text: string): Uint8Array {
  if (!/[\uD800-\uDFFF]/.test(text)) return new TextEncoder().encode(text);
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
      i++;
    }
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  }
  return Uint8Array.from(out);
}
