import type { DType } from "@ckpt/core";

/**
 * The safetensors dtypes in the reference writer's storage order (spec list), with
 * their size in bits and the ckpt dtype each one is (undefined: ckpt has no such type).
 */
const TABLE: readonly (readonly [name: string, bits: number, dtype: DType | undefined])[] = [
  ["U64", 64, "u64"], ["I64", 64, "i64"], ["F64", 64, "f64"], ["C64", 64, "c64"],
  ["F32", 32, "f32"], ["U32", 32, "u32"], ["I32", 32, "i32"],
  ["BF16", 16, "bf16"], ["F16", 16, "f16"], ["U16", 16, "u16"], ["I16", 16, "i16"],
  ["F8_E5M2FNUZ", 8, undefined], ["F8_E4M3FNUZ", 8, undefined], ["F8_E8M0", 8, undefined],
  ["F8_E4M3", 8, "f8_e4m3"], ["F8_E5M2", 8, "f8_e5m2"],
  ["I8", 8, "i8"], ["U8", 8, "u8"],
  ["F6_E3M2", 6, undefined], ["F6_E2M3", 6, undefined], ["F4", 4, undefined],
  ["BOOL", 8, "bool"],
];

export interface SafetensorsDType {
  readonly name: string;
  readonly bits: number;
  /** Position in the writer's storage order. */
  readonly order: number;
  readonly dtype: DType | undefined;
}

const BY_NAME = new Map<string, SafetensorsDType>(TABLE.map(([name, bits, dtype], order) => [name, { name, bits, order, dtype }]));
const BY_DTYPE = new Map<DType, SafetensorsDType>([...BY_NAME.values()].filter((d) => d.dtype).map((d) => [d.dtype!, d]));

export function safetensorsDType(name: string): SafetensorsDType | undefined {
  return BY_NAME.get(name);
}

/** The safetensors dtype for a ckpt dtype, or undefined when safetensors has none (c128). */
export function dtypeFor(dtype: DType): SafetensorsDType | undefined {
  return BY_DTYPE.get(dtype);
}

/** The ckpt dtypes this format stores natively. */
export const NATIVE_DTYPES: readonly DType[] = [...BY_DTYPE.keys()];
