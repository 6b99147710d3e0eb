import { ComputedSource } from "../model/byte-source.js";
import { itemSize, type DType } from "../model/dtype.js";
import type { Tensor } from "../model/tensor.js";
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from "./half.js";

/** The float dtypes a precision step may move between. */
export type FloatDType = "f64" | "f32" | "f16" | "bf16";

export function isCastable(dtype: DType): dtype is FloatDType {
  return dtype === "f64" || dtype === "f32" || dtype === "f16" || dtype === "bf16";
}

/**
 * The tensor converted to `target`, lazily: the bytes are computed when the writer
 * asks for them. f64 → f16/bf16 goes through f32, as PyTorch's `Tensor.to` does.
 */
export function castTensor(tensor: Tensor, target: FloatDType): Tensor {
  const from = tensor.dtype;
  if (from === target) return tensor;
  if (!isCastable(from)) throw new TypeError(`cannot cast ${from} to ${target}`);
  const byteLength = tensor.numel * itemSize(target);
  const source = new ComputedSource(byteLength, async () => {
    const bytes = await tensor.source.read();
    return asBytes(fromF32(target, from === "f64" ? null : toF32(from, bytes), from === "f64" ? bytes : null));
  });
  return tensor.with({ dtype: target, source });
}

/** Reads `bytes` of `from` as float32 (exact for f16/bf16/f32). */
function toF32(from: Exclude<FloatDType, "f64">, bytes: Uint8Array): Float32Array {
  switch (from) {
    case "f32": return new Float32Array(aligned(bytes).buffer, aligned(bytes).byteOffset, bytes.byteLength / 4);
    case "f16": return f16ToF32(new Uint16Array(aligned(bytes).buffer, aligned(bytes).byteOffset, bytes.byteLength / 2));
    case "bf16": return bf16ToF32(new Uint16Array(aligned(bytes).buffer, aligned(bytes).byteOffset, bytes.byteLength / 2));
  }
}

function fromF32(target: FloatDType, f32: Float32Array | null, f64Bytes: Uint8Array | null): ArrayBufferView {
  if (f64Bytes) {
    const f64 = new Float64Array(aligned(f64Bytes).buffer, aligned(f64Bytes).byteOffset, f64Bytes.byteLength / 8);
    if (target === "f64") return f64;
    f32 = Float32Array.from(f64); // round to nearest even
  }
  switch (target) {
    case "f32": return f32!;
    case "f64": return Float64Array.from(f32!);
    case "f16": return f32ToF16(f32!);
    case "bf16": return f32ToBf16(f32!);
  }
}

/** Typed-array views need an aligned offset; copy only when the bytes are not. */
function aligned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
}

function asBytes(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
