import type { Identification } from "@ckpt/core";

/** `PK\x03\x04`: a zip archive (PyTorch ≥ 1.6 saves zips). */
export const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04] as const;
/** The pickled magic number that starts a legacy (pre-1.6) torch.save file. */
export const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19] as const;

const startsWith = (head: Uint8Array, magic: readonly number[]) => magic.every((byte, i) => head[i] === byte);

export function isZip(head: Uint8Array): boolean {
  return startsWith(head, ZIP_MAGIC);
}

export function isLegacy(head: Uint8Array): boolean {
  return startsWith(head, LEGACY_MAGIC);
}

/** A zip is only "maybe" PyTorch (many files are zips); the legacy magic is certain. */
export function identify(head: Uint8Array): Identification {
  if (isLegacy(head)) return "yes";
  return isZip(head) ? "maybe" : "no";
}
