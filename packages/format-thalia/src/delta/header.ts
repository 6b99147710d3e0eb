import { CkptError } from "@ckpt/core";

/** "ΔTHL" in UTF-8: the first five bytes of a Thalia delta file. */
export const DELTA_MAGIC = new Uint8Array([0xce, 0x94, 0x54, 0x48, 0x4c]);
export const DELTA_HEADER_SIZE = 64;

export interface DeltaHeader {
  version: number;
  /** SHA-256 (hex) of the whole base file. */
  baseHash: string;
  baseStep: bigint;
  currentStep: bigint;
}

export function parseDeltaHeader(bytes: Uint8Array, file: string): DeltaHeader {
  if (bytes.byteLength < DELTA_HEADER_SIZE) throw new CkptError("CORRUPT", `file is too short for a Thalia delta header (${bytes.byteLength} of 64 bytes)`, { file });
  if (!DELTA_MAGIC.every((b, i) => bytes[i] === b)) throw new CkptError("CORRUPT", "not a Thalia delta (magic is not ΔTHL)", { file });
  const view = new DataView(bytes.buffer, bytes.byteOffset, DELTA_HEADER_SIZE);
  const version = view.getUint32(5, true);
  if (version !== 1) throw new CkptError("UNSUPPORTED", `Thalia delta version ${version} is not supported (only 1)`, { file });
  return {
    version,
    baseHash: Buffer.from(bytes.subarray(9, 41)).toString("hex"),
    baseStep: view.getBigUint64(41, true),
    currentStep: view.getBigUint64(49, true),
  };
}
