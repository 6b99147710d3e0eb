/** Constants of the LZ4 frame format (the spec's names in comments) and its error helper. */
import { CkptError } from "@ckpt/core";

/** 0x184D2204, little-endian on disk: 04 22 4D 18. */
export const FRAME_MAGIC = 0x184d2204;
/** The legacy format `lz4 -l` writes: 8 MiB independent blocks, no descriptor, no end mark. */
export const LEGACY_MAGIC = 0x184c2102;
/** Skippable frames: 0x184D2A50 .. 0x184D2A5F, then a 4-byte length and that many bytes. */
export const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
export const SKIPPABLE_MAGIC = 0x184d2a50;

// FLG byte.
export const FLG_VERSION = 0x40; // bits 7-6 = 01
export const FLG_BLOCK_INDEPENDENT = 0x20;
export const FLG_BLOCK_CHECKSUM = 0x10;
export const FLG_CONTENT_SIZE = 0x08;
export const FLG_CONTENT_CHECKSUM = 0x04;
export const FLG_RESERVED = 0x02;
export const FLG_DICT_ID = 0x01;

/** BD byte: bits 6-4 hold the block maximum size id (4..7); every other bit is reserved. */
export const BD_RESERVED = 0x8f;

/** Block max size for a BD id: 4 → 64 KiB, 5 → 256 KiB, 6 → 1 MiB, 7 → 4 MiB. */
export function blockMaxSize(id: number): number {
  return 1 << (8 + 2 * id);
}

/** High bit of a block's size word: the block is stored uncompressed. */
export const BLOCK_UNCOMPRESSED = 0x80000000;

/** Matches reach back at most this far (16-bit offsets). */
export const WINDOW = 65536;

/** Legacy frames: every block but the last decodes to exactly 8 MiB. */
export const LEGACY_BLOCK_SIZE = 8 << 20;

/** Worst-case compressed size of n bytes (the spec's bound: n + n/255 + 16). */
export function compressBound(n: number): number {
  return n + Math.floor(n / 255) + 16;
}

/** Every damaged-input failure: one line, "lz4: <what>". */
export function lz4Corrupt(what: string): CkptError {
  return new CkptError("CORRUPT", `lz4: ${what}`);
}

export function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, "0")}`;
}
