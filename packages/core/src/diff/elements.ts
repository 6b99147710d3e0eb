import { itemSize, type DType } from "../model/dtype.js";
import type { Tensor } from "../model/tensor.js";
import { bf16ToF32, f16ToF32 } from "../precision/half.js";

/** Elements per block when streaming a tensor's values (64 Ki elements: ≤ 1 MiB for c128). */
export const BLOCK_ELEMENTS = 1 << 16;

/**
 * One block of a tensor's values: `values` widened to f64 (a complex element is two
 * values, real then imaginary), plus the exact integers for 64-bit integer dtypes
 * (which f64 cannot hold past 2^53) and the raw bytes for bit-exact checks.
 */
export interface ValueBlock {
  values: Float64Array;
  exact: BigInt64Array | BigUint64Array | undefined;
  bytes: Uint8Array;
}

/** Values per element: 2 for complex dtypes, 1 otherwise. */
export function componentsOf(dtype: DType): number {
  return dtype === "c64" || dtype === "c128" ? 2 : 1;
}

/** The integer-valued dtypes (compared exactly). */
export function isExactDType(dtype: DType): boolean {
  return dtype === "bool" || /^[iu]\d+$/.test(dtype);
}

/**
 * Streams `tensor`'s values in blocks of `blockElements` elements (the last may be
 * shorter), reading its source chunk-wise: only one block and one source chunk are in
 * memory at a time, whatever the tensor's size.
 */
export async function* valueBlocks(tensor: Tensor, blockElements = BLOCK_ELEMENTS): AsyncGenerator<ValueBlock> {
  const size = itemSize(tensor.dtype);
  const blockBytes = blockElements * size;
  let pending = new Uint8Array(blockBytes);
  let filled = 0;
  for await (const chunk of tensor.source.chunks(blockBytes)) {
    let at = 0;
    while (at < chunk.byteLength) {
      const take = Math.min(blockBytes - filled, chunk.byteLength - at);
      pending.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === blockBytes) {
        yield decodeBlock(tensor.dtype, pending);
        pending = new Uint8Array(blockBytes);
        filled = 0;
      }
    }
  }
  if (filled % size !== 0) throw new RangeError(`tensor source ended inside an element (${filled % size} of ${size} bytes)`);
  if (filled > 0) yield decodeBlock(tensor.dtype, pending.subarray(0, filled));
}

/** Decodes little-endian bytes of `dtype` (a fresh, 8-aligned buffer) to f64 values. */
export function decodeBlock(dtype: DType, bytes: Uint8Array): ValueBlock {
  const buffer = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const count = buffer.byteLength / itemSize(dtype);
  const at = (n: number) => [buffer.buffer, buffer.byteOffset, n] as const;
  let exact: BigInt64Array | BigUint64Array | undefined;
  let values: Float64Array;
  switch (dtype) {
    case "f64": values = new Float64Array(...at(count)); break;
    case "f32": values = Float64Array.from(new Float32Array(...at(count))); break;
    case "f16": values = Float64Array.from(f16ToF32(new Uint16Array(...at(count)))); break;
    case "bf16": values = Float64Array.from(bf16ToF32(new Uint16Array(...at(count)))); break;
    case "c64": values = Float64Array.from(new Float32Array(...at(count * 2))); break;
    case "c128": values = new Float64Array(...at(count * 2)); break;
    case "i64": exact = new BigInt64Array(...at(count)); values = Float64Array.from(exact, Number); break;
    case "u64": exact = new BigUint64Array(...at(count)); values = Float64Array.from(exact, Number); break;
    case "i32": values = Float64Array.from(new Int32Array(...at(count))); break;
    case "u32": values = Float64Array.from(new Uint32Array(...at(count))); break;
    case "i16": values = Float64Array.from(new Int16Array(...at(count))); break;
    case "u16": values = Float64Array.from(new Uint16Array(...at(count))); break;
    case "i8": values = Float64Array.from(new Int8Array(...at(count))); break;
    case "u8": values = Float64Array.from(new Uint8Array(...at(count))); break;
    case "bool": values = Float64Array.from(new Uint8Array(...at(count)), (b) => (b === 0 ? 0 : 1)); break;
    case "f8_e4m3": values = Float64Array.from(new Uint8Array(...at(count)), f8e4m3ToNumber); break;
    case "f8_e5m2": values = Float64Array.from(f16ToF32(Uint16Array.from(new Uint8Array(...at(count)), (b) => b << 8))); break;
  }
  return { values, exact, bytes: buffer };
}

/** float8 e4m3fn (no infinities; S.1111.111 is NaN), as PyTorch's `float8_e4m3fn`. */
function f8e4m3ToNumber(byte: number): number {
  const sign = byte & 0x80 ? -1 : 1;
  const exponent = (byte >>> 3) & 0xf;
  const mantissa = byte & 0x7;
  if (exponent === 0xf && mantissa === 0x7) return NaN;
  if (exponent === 0) return sign * (mantissa / 8) * 2 ** -6;
  return sign * (1 + mantissa / 8) * 2 ** (exponent - 7);
}
