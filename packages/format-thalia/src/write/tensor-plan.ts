import { itemSize, type DType, type Tensor } from "@ckpt/core";
import { ENCODING_DENSE, ENCODING_SPARSE_COO, SPARSE_MIN_ELEMENTS, SPARSE_ZERO_FRACTION, dtypeCode } from "../container/layout.js";
import { widen } from "../tree/widen.js";

/** How one tensor will be stored: widened if needed, dense or sparse COO, and its record size. */
export interface TensorPlan {
  stored: Tensor;
  original: DType | undefined;
  encoding: typeof ENCODING_DENSE | typeof ENCODING_SPARSE_COO;
  nnz: number;
  recordBytes: number;
}

/**
 * Chooses the encoding as the reference writer does (sparse above 100 elements with more
 * than 90 % zeros, the fraction in f32), except that f16 tensors and tensors holding a
 * -0.0 stay dense: the reference cannot read sparse f16, and sparse storage loses the sign.
 */
export async function planTensor(tensor: Tensor, options: { sparseF16?: boolean } = {}): Promise<TensorPlan> {
  const { stored, original } = widen(tensor);
  const header = 12 + 4 * stored.shape.length;
  const dense: TensorPlan = { stored, original, encoding: ENCODING_DENSE, nnz: stored.numel, recordBytes: header + stored.byteLength };
  if (stored.numel <= SPARSE_MIN_ELEMENTS || (stored.dtype === "f16" && !options.sparseF16)) return dense;
  const { zeros, negativeZero } = await countZeros(stored);
  if (negativeZero || !(Math.fround(zeros / stored.numel) > SPARSE_ZERO_FRACTION)) return dense;
  const nnz = stored.numel - zeros;
  return { stored, original, encoding: ENCODING_SPARSE_COO, nnz, recordBytes: header + 8 + nnz * stored.shape.length * 8 + nnz * itemSize(stored.dtype) };
}

/** Counts elements equal to zero (both signs for floats) and whether a -0.0 is among them. */
async function countZeros(tensor: Tensor): Promise<{ zeros: number; negativeZero: boolean }> {
  const size = itemSize(tensor.dtype);
  const float = tensor.dtype === "f32" || tensor.dtype === "f64" || tensor.dtype === "f16";
  let zeros = 0;
  let negativeZero = false;
  for await (const chunk of tensor.source.chunks()) {
    // Compare whole elements as 32-bit words where possible (little-endian: the sign is the top bit of the last word).
    const words = size >= 4 && chunk.byteOffset % 4 === 0 ? new Uint32Array(chunk.buffer, chunk.byteOffset, chunk.byteLength / 4) : undefined;
    if (words && size === 4) {
      for (let i = 0; i < words.length; i++) {
        const w = words[i]!;
        if ((w & 0x7fffffff) === 0 && (w === 0 || float)) {
          zeros++;
          if (w !== 0) negativeZero = true;
        }
      }
    } else if (words && size === 8) {
      for (let i = 0; i < words.length; i += 2) {
        const hi = words[i + 1]!;
        if (words[i] === 0 && (hi & 0x7fffffff) === 0 && (hi === 0 || float)) {
          zeros++;
          if (hi !== 0) negativeZero = true;
        }
      }
    } else {
      for (let at = 0; at < chunk.byteLength; at += size) {
        let low = 0;
        for (let b = 0; b < size - 1; b++) low |= chunk[at + b]!;
        const last = chunk[at + size - 1]!;
        if (low === 0 && (last === 0 || (float && last === 0x80))) {
          zeros++;
          if (last === 0x80) negativeZero = true;
        }
      }
    }
  }
  return { zeros, negativeZero };
}

/** The record's bytes, in order: header, then dense data or COO indices and values. */
export async function* recordChunks(plan: TensorPlan): AsyncIterable<Uint8Array> {
  const { stored } = plan;
  const ndim = stored.shape.length;
  const header = new DataView(new ArrayBuffer(12 + 4 * ndim));
  header.setUint32(0, plan.encoding, true);
  header.setUint32(4, dtypeCode(stored.dtype), true);
  header.setUint32(8, ndim, true);
  stored.shape.forEach((dim, i) => header.setUint32(12 + 4 * i, dim, true));
  yield new Uint8Array(header.buffer);
  if (plan.encoding === ENCODING_DENSE) {
    yield* stored.source.chunks();
    return;
  }
  yield* sparseBody(stored, plan.nnz);
}

/** COO body: u64 nnz, i64 indices [ndim][nnz] (dimension-major), then the nnz values. */
async function* sparseBody(tensor: Tensor, nnz: number): AsyncIterable<Uint8Array> {
  const size = itemSize(tensor.dtype);
  const positions = new Float64Array(nnz);
  const values = new Uint8Array(nnz * size);
  let k = 0;
  let element = 0;
  for await (const chunk of tensor.source.chunks()) {
    if (size === 4 && chunk.byteOffset % 4 === 0) {
      // Whole 32-bit elements at a time: the common case (f32, i32) and the hot loop.
      const words = new Uint32Array(chunk.buffer, chunk.byteOffset, chunk.byteLength / 4);
      for (let i = 0; i < words.length; i++, element++) {
        if (words[i] === 0) continue;
        positions[k] = element;
        values.set(chunk.subarray(i * 4, i * 4 + 4), k * 4);
        k++;
      }
      continue;
    }
    for (let at = 0; at < chunk.byteLength; at += size, element++) {
      let any = 0;
      for (let b = 0; b < size; b++) any |= chunk[at + b]!;
      if (any === 0) continue; // -0.0 never reaches here: such tensors are written dense
      positions[k] = element;
      values.set(chunk.subarray(at, at + size), k * size);
      k++;
    }
  }
  const count = new DataView(new ArrayBuffer(8));
  count.setBigUint64(0, BigInt(nnz), true);
  yield new Uint8Array(count.buffer);
  const shape = tensor.shape;
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((n, x) => n * x, 1));
  for (let d = 0; d < shape.length; d++) {
    const indices = new BigInt64Array(nnz);
    for (let i = 0; i < nnz; i++) indices[i] = BigInt(Math.floor(positions[i]! / strides[d]!) % shape[d]!);
    yield new Uint8Array(indices.buffer);
  }
  yield values;
}
