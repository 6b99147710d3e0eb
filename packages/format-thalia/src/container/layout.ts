import type { DType } from "@ckpt/core";

/** Fixed facts of the Thalia container, version 0.1.0 (thalia-binary.md). */
export const MAGIC = "THAL";
export const HEADER_SIZE = 256;
export const INDEX_ENTRY_SIZE = 48;
export const INDEX_NAME_BYTES = 31;
export const TRAILER_SIZE = 32;
export const VERSION = { major: 0, minor: 1, patch: 0 } as const;
export const CHECKSUM_NONE = 0;
export const CHECKSUM_SHA256 = 1;

export const ENCODING_DENSE = 0;
export const ENCODING_SPARSE_COO = 1;

/** The six dtypes a tensor record can hold, by their code. */
export const DTYPE_BY_CODE: readonly DType[] = ["f32", "f64", "i32", "i64", "bool", "f16"];

export function dtypeCode(dtype: DType): number {
  const code = DTYPE_BY_CODE.indexOf(dtype);
  if (code < 0) throw new Error(`dtype ${dtype} has no Thalia code`);
  return code;
}

/** Sparse COO is chosen above this many elements… */
export const SPARSE_MIN_ELEMENTS = 100;
/** …when more than this fraction of them is zero (the reference computes it in f32). */
export const SPARSE_ZERO_FRACTION = 0.9;

/** Index names of pathways carry this prefix. */
export const PATHWAY_PREFIX = "pathway:";
/** Index names of other state keys holding tensors carry this prefix (ckpt's own). */
export const STATE_PREFIX = "state:";
