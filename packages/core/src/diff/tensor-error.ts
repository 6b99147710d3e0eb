import { itemSize } from "../model/dtype.js";
import type { Tensor } from "../model/tensor.js";
import { BLOCK_ELEMENTS, componentsOf, isExactDType, valueBlocks, type ValueBlock } from "./elements.js";

/**
 * How two tensors' values differ, element by element. Both are widened to f64 first,
 * so an f16 tensor and the f32 tensor of the same values compare equal; integer and bool
 * tensors are compared exactly (64-bit integers as integers, not as doubles).
 *
 * * two values are equal when `a === b` (so `0` equals `-0`, `Inf` only `Inf`) or both are NaN;
 * * `maxAbsError` = max |a − b| and `maxRelError` = max |a − b| / max(|a|, |b|), over the
 *   differing pairs where both values are finite (0 when there are none);
 * * a pair where one side is NaN or ±Inf and the other is not the same is counted in
 *   `differing` and in `nonFinite`, never folded into the errors (which stay finite);
 * * a complex element is two values (real, imaginary), each compared on its own.
 */
export interface TensorComparison {
  /** Values compared: the element count (twice it for complex dtypes). */
  values: number;
  /** Values that differ by the rule above. */
  differing: number;
  maxAbsError: number;
  maxRelError: number;
  /** Differing values where one side is NaN or infinite. */
  nonFinite: number;
  /** Same dtype: whether the bytes are identical (`-0` vs `0` and NaN payloads count here); other dtypes: null. */
  bytesEqual: boolean | null;
  /** Same dtype: elements whose bytes differ (≥ `differing`, counting `-0`/`0` and NaN payloads); other dtypes: null. */
  bitsDiffering: number | null;
  /** The first differing value: its flat index (into values) and both sides. */
  first: { index: number; a: number | string; b: number | string } | null;
}

/**
 * Compares the values of two tensors of the same element count and any dtypes,
 * streaming both sources block by block (two blocks in memory, not two tensors).
 */
export async function compareTensors(a: Tensor, b: Tensor, blockElements = BLOCK_ELEMENTS): Promise<TensorComparison> {
  const total = a.numel * componentsOf(a.dtype);
  if (b.numel * componentsOf(b.dtype) !== total) {
    throw new RangeError(`cannot compare ${a.numel} elements of ${a.dtype} with ${b.numel} elements of ${b.dtype}`);
  }
  const result: TensorComparison = {
    values: total, differing: 0, maxAbsError: 0, maxRelError: 0, nonFinite: 0,
    bytesEqual: a.dtype === b.dtype ? true : null, bitsDiffering: a.dtype === b.dtype ? 0 : null, first: null,
  };
  const exact = isExactDType(a.dtype) && isExactDType(b.dtype);
  const left = valueBlocks(a, blockElements);
  const right = valueBlocks(b, blockElements);
  let offset = 0;
  try {
    for (;;) {
      const [x, y] = await Promise.all([left.next(), right.next()]);
      if (x.done || y.done) {
        if (x.done !== y.done || offset !== total) throw new RangeError(`tensor sources ended after ${offset} of ${total} values`);
        break;
      }
      const [p, q] = [x.value, y.value];
      if (p.values.length !== q.values.length) throw new RangeError("tensor sources are out of step");
      if (result.bitsDiffering !== null && !sameBytes(p.bytes, q.bytes)) {
        result.bytesEqual = false;
        result.bitsDiffering += countDifferingElements(p.bytes, q.bytes, itemSize(a.dtype));
      }
      if (exact) compareExact(p, q, offset, result);
      else compareFloat(p.values, q.values, offset, result);
      offset += p.values.length;
    }
  } finally {
    await Promise.all([left.return(undefined), right.return(undefined)]);
  }
  return result;
}

/** True when nothing differs, bit for bit if the dtypes are the same. */
export function isIdentical(comparison: TensorComparison): boolean {
  return comparison.differing === 0 && comparison.bytesEqual !== false;
}

function compareFloat(a: Float64Array, b: Float64Array, offset: number, out: TensorComparison): void {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y || (x !== x && y !== y)) continue; // equal, or both NaN
    out.differing++;
    out.first ??= { index: offset + i, a: x, b: y };
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      out.nonFinite++;
      continue;
    }
    const abs = Math.abs(x - y);
    const rel = abs / Math.max(Math.abs(x), Math.abs(y));
    if (abs > out.maxAbsError) out.maxAbsError = abs;
    if (rel > out.maxRelError) out.maxRelError = rel;
  }
}

function compareExact(a: ValueBlock, b: ValueBlock, offset: number, out: TensorComparison): void {
  if (!a.exact && !b.exact) return compareFloat(a.values, b.values, offset, out); // ≤ 32-bit integers are exact in f64
  for (let i = 0; i < a.values.length; i++) {
    const x = a.exact ? a.exact[i]! : BigInt(a.values[i]!);
    const y = b.exact ? b.exact[i]! : BigInt(b.values[i]!);
    if (x === y) continue;
    out.differing++;
    out.first ??= { index: offset + i, a: x.toString(), b: y.toString() };
    const abs = Number(x > y ? x - y : y - x);
    const magnitude = Math.max(Math.abs(Number(x)), Math.abs(Number(y)));
    if (abs > out.maxAbsError) out.maxAbsError = abs;
    if (abs / magnitude > out.maxRelError) out.maxRelError = abs / magnitude;
  }
}

function countDifferingElements(a: Uint8Array, b: Uint8Array, size: number): number {
  let count = 0;
  for (let at = 0; at < a.byteLength; at += size) {
    for (let k = 0; k < size; k++) {
      if (a[at + k] !== b[at + k]) {
        count++;
        break;
      }
    }
  }
  return count;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
