import type { DType } from "@ckpt/core";

/**
 * PyTorch's names for element types, both ways. Storage classes are what
 * persistent ids name (`torch.FloatStorage`); dtype globals are what
 * `_rebuild_tensor_v3` and pickled dtypes name (`torch.float32`).
 */

/** Typed storage class → dtype (numel counted in elements). */
export const STORAGE_DTYPES: ReadonlyMap<string, DType> = new Map<string, DType>(
  ([
    ["Double", "f64"],
    ["Float", "f32"],
    ["Half", "f16"],
    ["BFloat16", "bf16"],
    ["Long", "i64"],
    ["Int", "i32"],
    ["Short", "i16"],
    ["Char", "i8"],
    ["Byte", "u8"],
    ["Bool", "bool"],
    ["ComplexDouble", "c128"],
    ["ComplexFloat", "c64"],
  ] as const).flatMap(([name, dtype]) => [
    [`torch.${name}Storage`, dtype],
    // GPU storages of files written before the zip format (torch < 1.6).
    [`torch.cuda.${name}Storage`, dtype],
  ]),
);

/** The untyped storage class: numel counted in bytes, the dtype comes from `_rebuild_tensor_v3`. */
export const UNTYPED_STORAGE = "torch.storage.UntypedStorage";

/** dtype → the typed storage class a writer names (PyTorch 1.13 and 2.x both read these). */
export const DTYPE_STORAGE: Readonly<Partial<Record<DType, string>>> = {
  f64: "torch.DoubleStorage",
  f32: "torch.FloatStorage",
  f16: "torch.HalfStorage",
  bf16: "torch.BFloat16Storage",
  i64: "torch.LongStorage",
  i32: "torch.IntStorage",
  i16: "torch.ShortStorage",
  i8: "torch.CharStorage",
  u8: "torch.ByteStorage",
  bool: "torch.BoolStorage",
  c128: "torch.ComplexDoubleStorage",
  c64: "torch.ComplexFloatStorage",
};

/** dtype → its `torch.*` global (the canonical name PyTorch pickles). */
export const DTYPE_TORCH: Readonly<Record<DType, string>> = {
  f64: "torch.float64",
  f32: "torch.float32",
  f16: "torch.float16",
  bf16: "torch.bfloat16",
  i64: "torch.int64",
  i32: "torch.int32",
  i16: "torch.int16",
  i8: "torch.int8",
  u64: "torch.uint64",
  u32: "torch.uint32",
  u16: "torch.uint16",
  u8: "torch.uint8",
  bool: "torch.bool",
  c64: "torch.complex64",
  c128: "torch.complex128",
  f8_e4m3: "torch.float8_e4m3fn",
  f8_e5m2: "torch.float8_e5m2",
};

/** `torch.*` dtype global (canonical names and aliases) → dtype. */
export const TORCH_DTYPES: ReadonlyMap<string, DType> = new Map<string, DType>([
  ...(Object.entries(DTYPE_TORCH) as [DType, string][]).map(([dtype, name]) => [name, dtype] as [string, DType]),
  ["torch.double", "f64"],
  ["torch.float", "f32"],
  ["torch.half", "f16"],
  ["torch.long", "i64"],
  ["torch.int", "i32"],
  ["torch.short", "i16"],
  ["torch.cfloat", "c64"],
  ["torch.cdouble", "c128"],
]);
