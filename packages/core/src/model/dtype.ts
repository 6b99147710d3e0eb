/** Tensor element types of the neutral model (model.md §1). Names are ckpt's own, short and lower-case. */
export const DTYPES = [
  "f64", "f32", "f16", "bf16",
  "i64", "i32", "i16", "i8",
  "u64", "u32", "u16", "u8",
  "bool",
  "c64", "c128",
  "f8_e4m3", "f8_e5m2",
] as const;

export type DType = (typeof DTYPES)[number];

const ITEM_SIZE: Record<DType, number> = {
  f64: 8, f32: 4, f16: 2, bf16: 2,
  i64: 8, i32: 4, i16: 2, i8: 1,
  u64: 8, u32: 4, u16: 2, u8: 1,
  bool: 1,
  c64: 8, c128: 16,
  f8_e4m3: 1, f8_e5m2: 1,
};

export function itemSize(dtype: DType): number {
  return ITEM_SIZE[dtype];
}

export function isDType(name: string): name is DType {
  return (DTYPES as readonly string[]).includes(name);
}

export function isFloatDType(dtype: DType): boolean {
  return dtype === "f64" || dtype === "f32" || dtype === "f16" || dtype === "bf16" || dtype.startsWith("f8_");
}

/**
 * Number of elements of a shape, refusing products that are not exact doubles.
 * Readers call this before trusting a size from a file.
 */
export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) throw new RangeError(`invalid dimension ${dim}`);
    n *= dim;
    if (!Number.isSafeInteger(n)) throw new RangeError(`shape [${shape.join(", ")}] has too many elements`);
  }
  return n;
}
