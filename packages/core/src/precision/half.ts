/**
 * IEEE binary16 and bfloat16 conversions over typed arrays: integer bit arithmetic in
 * one tight loop (no per-element library call), round-to-nearest-even, overflow to
 * ±Inf, NaN kept NaN (sign and payload kept as far as the narrower format holds it).
 */

/*
 * float32 → binary16 by tables indexed by the float32's biased exponent e (256 entries):
 * with the implicit bit put back, mant = 1.m × 2^23, the half is
 *   BASE[e] + round(mant / 2^SHIFT[e])
 * where SHIFT is 13 for results in the normal half range (e ≥ 113), 126 − e for the
 * subnormal halves (102 ≤ e < 113), and 25 below (and above 65535), where the quotient
 * and the rounding bit are both 0, so the result is ±0 (or BASE = 0x7c00, ±Inf).
 * Rounding to nearest even is integer arithmetic: (mant + ROUND[e] + lsb) >> SHIFT with
 * ROUND = 2^(SHIFT−1) − 1 and lsb the quotient's last bit. A carry out of the mantissa
 * lands in the exponent field, which is the right answer (including 65520 → +Inf and the
 * largest subnormal → the smallest normal). No per-element branches except NaN.
 */
const BASE = new Uint16Array(256);
const SHIFT = new Uint8Array(256);
const ROUND = new Uint32Array(256);
for (let e = 0; e < 256; e++) {
  const shift = e >= 143 || e < 102 ? 25 : e >= 113 ? 13 : 126 - e;
  BASE[e] = e >= 143 ? 0x7c00 : e >= 113 ? (e - 113) << 10 : 0;
  SHIFT[e] = shift;
  ROUND[e] = (1 << (shift - 1)) - 1;
}

/**
 * binary16 bits of the float32 with bits `x` (round to nearest, ties to even, overflow
 * to ±Inf). NaN stays NaN with its sign and the top 10 payload bits, quiet bit set
 * (what x86 F16C `vcvtps2ph` — PyTorch's vectorised CPU cast — and Arm `FCVT` do).
 */
export function f32BitsToF16Bits(x: number): number {
  const e = (x >>> 23) & 0xff;
  const m = x & 0x7fffff;
  const sign = (x >>> 16) & 0x8000;
  if (e === 255 && m !== 0) return sign | 0x7e00 | (m >>> 13);
  const mant = m | 0x800000;
  const shift = SHIFT[e]!;
  return sign | (BASE[e]! + ((mant + ROUND[e]! + ((mant >>> shift) & 1)) >>> shift));
}

/** float32 → binary16, element-wise (the loop body is `f32BitsToF16Bits`, inlined by hand). */
export function f32ToF16(input: Float32Array): Uint16Array {
  const bits = new Uint32Array(input.buffer, input.byteOffset, input.length);
  const n = bits.length;
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const x = bits[i]!;
    const e = (x >>> 23) & 0xff;
    const m = x & 0x7fffff;
    if (e === 255 && m !== 0) {
      out[i] = ((x >>> 16) & 0x8000) | 0x7e00 | (m >>> 13);
      continue;
    }
    const mant = m | 0x800000;
    const shift = SHIFT[e]!;
    out[i] = ((x >>> 16) & 0x8000) | (BASE[e]! + ((mant + ROUND[e]! + ((mant >>> shift) & 1)) >>> shift));
  }
  return out;
}

let f16Table: Float32Array | undefined;

/** The exact float32 value of every binary16 pattern (built once, 256 KiB). */
function halfTable(): Float32Array {
  if (f16Table) return f16Table;
  const table = new Float32Array(65536);
  const tableBits = new Uint32Array(table.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) table[h] = sign * mantissa * 2 ** -24;
    else if (exponent === 31) {
      // Keep NaN payloads (signalling ones too): write the f32 bits = sign | all-ones
      // exponent | mantissa << 13 directly, since a NaN passing through a JS number is
      // made quiet.
      tableBits[h] = ((h & 0x8000) << 16) | 0x7f800000 | (mantissa << 13);
    } else table[h] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return (f16Table = table);
}

/** binary16 → float32, exact. */
export function f16ToF32(input: Uint16Array): Float32Array {
  const table = halfTable();
  const out = new Float32Array(input.length);
  const outBits = new Uint32Array(out.buffer);
  const tableBits = new Uint32Array(table.buffer);
  for (let i = 0; i < input.length; i++) outBits[i] = tableBits[input[i]!]!; // copy bits: NaN payloads survive
  return out;
}

/** float32 → bfloat16, round to nearest even (as PyTorch), NaN → quiet NaN. */
export function f32ToBf16(input: Float32Array): Uint16Array {
  const bits = new Uint32Array(input.buffer, input.byteOffset, input.length);
  const out = new Uint16Array(input.length);
  for (let i = 0; i < bits.length; i++) {
    const x = bits[i]!;
    if ((x & 0x7fffffff) > 0x7f800000) out[i] = ((x >>> 16) | 0x40) & 0xffff;
    else out[i] = ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
  }
  return out;
}

/** bfloat16 → float32, exact (the bits shifted into place). */
export function bf16ToF32(input: Uint16Array): Float32Array {
  const out = new Uint32Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = input[i]! << 16;
  return new Float32Array(out.buffer);
}
