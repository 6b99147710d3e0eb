import { CkptError, ComputedSource, MemorySource, itemSize, numelOf, type ByteSource, type DType } from "@ckpt/core";
import { sliceSource } from "./byte-slice.js";

/** A tensor's window onto a storage, all in elements as PyTorch counts them. */
export interface ViewSpec {
  dtype: DType;
  offset: number;
  size: readonly number[];
  stride: readonly number[];
}

/** The storage side: its bytes and how many elements of `dtype` they hold. */
export interface ViewTarget {
  source: ByteSource;
  label: string;
}

/**
 * The contiguous row-major bytes of a view, lazily: a contiguous view is a byte
 * range of the storage (still a file range when the storage is one); any other
 * (transpose, strided slice, stride-0 expansion) is computed on demand from the span
 * of the storage the view touches. Checks that the view stays inside the storage.
 */
export function viewSource(target: ViewTarget, view: ViewSpec): ByteSource {
  const { dtype, offset, size, stride } = view;
  const width = itemSize(dtype);
  if (size.length !== stride.length) {
    throw new CkptError("CORRUPT", `tensor has ${size.length} sizes but ${stride.length} strides`);
  }
  let numel: number;
  try {
    numel = numelOf(size);
  } catch {
    throw new CkptError("CORRUPT", `tensor shape [${size.join(", ")}] is impossible`);
  }
  const capacity = Math.floor(target.source.byteLength / width);
  if (numel === 0) return new MemorySource(new Uint8Array());

  // The furthest element the view touches, exactly (products may pass 2^53).
  let furthest = BigInt(offset);
  for (let d = 0; d < size.length; d++) furthest += BigInt(size[d]! - 1) * BigInt(stride[d]!);
  if (furthest >= BigInt(capacity)) {
    throw new CkptError(
      "CORRUPT",
      `tensor of ${numel} elements reaches element ${furthest} of ${target.label}, which holds ${capacity} elements`,
    );
  }
  if (isContiguous(size, stride)) return sliceSource(target.source, offset * width, numel * width);

  const spanElements = Number(furthest) - offset + 1;
  const span = sliceSource(target.source, offset * width, spanElements * width);
  return new ComputedSource(numel * width, async () => gather(await span.read(), width, size, stride, numel));
}

/** Row-major contiguous, ignoring the stride of size-1 dimensions (as PyTorch does). */
export function isContiguous(size: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = size.length - 1; d >= 0; d--) {
    if (size[d] !== 1 && stride[d] !== expected) return false;
    expected *= size[d]!;
  }
  return true;
}

/** Copies the view's elements, in row-major order, out of the span it touches. */
function gather(span: Uint8Array, width: number, size: readonly number[], stride: readonly number[], numel: number): Uint8Array {
  const out = new Uint8Array(numel * width);
  // Drop size-1 dimensions; the innermost one is copied as a run when it is dense.
  const dims = size.map((n, d) => [n, stride[d]!] as const).filter(([n]) => n !== 1);
  if (dims.length === 0) {
    out.set(span.subarray(0, width));
    return out;
  }
  const [innerSize, innerStride] = dims[dims.length - 1]!;
  const outer = dims.slice(0, -1);
  const index = new Array<number>(outer.length).fill(0);
  let base = 0; // element offset in the span of the current inner run
  let at = 0; // byte offset in out
  const runs = numel / innerSize;
  for (let r = 0; r < runs; r++) {
    if (innerStride === 1) {
      out.set(span.subarray(base * width, (base + innerSize) * width), at);
      at += innerSize * width;
    } else {
      for (let i = 0, e = base; i < innerSize; i++, e += innerStride) {
        const from = e * width;
        for (let b = 0; b < width; b++) out[at++] = span[from + b]!;
      }
    }
    // Advance the odometer over the outer dimensions.
    for (let d = outer.length - 1; d >= 0; d--) {
      const [n, s] = outer[d]!;
      if (++index[d]! < n) {
        base += s;
        break;
      }
      index[d] = 0;
      base -= (n - 1) * s;
    }
  }
  return out;
}
