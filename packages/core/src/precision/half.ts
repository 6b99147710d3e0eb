/**
 * IEEE binary16 and bfloat16 conversions over typed arrays: integer bit arithmetic in
 * one tight loop (no per-element library call), round-to-nearest-even, overflow to
 * ±Inf, NaN kept NaN.
 */

const f32Bits = new Uint32Array(1);
const f32View = new Float32Array(f32Bits.buffer);

/** binary16 bits of the float32 with bits `x` (round to nearest, ties to even). */
export function f32BitsToF16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const abs = x & 0x7fffffff;
  if (abs >= 0x7f800000) return abs > 0x7f800000 ? 0x7e00 : sign | 0x7c00; // NaN (canonical), ±Inf
  if (abs >= 0x477ff000) return sign | 0x7c00; // ≥ 65520 rounds past the largest half
  const exponent = abs >>> 23;
  if (exponent < 113) {
    // Result is subnormal (or zero): value = q × 2^-24 with q = m >> (126 - e).
    if (exponent < 102) return sign;
    const mantissa = (abs & 0x7fffff) | 0x800000;
    const shift = 126 - exponent;
    let q = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (q & 1) === 1)) q++;
    return sign | q;
  }
  let bits = ((exponent - 112) << 10) | ((abs >>> 13) & 0x3ff);
  const rest = abs & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (bits & 1) === 1)) bits++; // a carry into the exponent is correct
  return sign | bits;
}

/** float32 → binary16, element-wise. */
export function f32ToF16(input: Float32Array): Uint16Array {
  const bits = new Uint32Array(input.buffer, input.byteOffset, input.length);
  const out = new Uint16Array(input.length);
  for (let i = 0; i < bits.length; i++) out[i] = f32BitsToF16Bits(bits[i]!);
  return out;
}

let f16Table: Float32Array | undefined;

/** The exact float32 value of every binary16 pattern (built once, 256 KiB). */
function halfTable(): Float32Array {
  if (f16Table) return f16Table;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) table[h] = sign * mantissa * 2 ** -24;
    else if (exponent === 31) {
      // Keep NaN payloads: f32 bits = sign | all-ones exponent | mantissa << 13.
      f32Bits[0] = ((h & 0x8000) << 16) | 0x7f800000 | (mantissa << 13);
      table[h] = f32View[0]!;
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
