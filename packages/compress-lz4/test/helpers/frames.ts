/** Hand-built LZ4 frames, for the cases our own writer never produces. */
import { FastCompressor } from "../../src/block-compress.js";
import { compressBound } from "../../src/frame-format.js";
import { xxhash32 } from "../../src/xxhash32.js";

export interface BlockSpec {
  /** Stored bytes: raw content when `stored`, else a compressed block. */
  data: Uint8Array;
  stored?: boolean;
  /** Overrides the size word (for lying headers). */
  sizeWord?: number;
}

export interface FrameSpec {
  blocks: BlockSpec[];
  /** The decompressed content, for the content checksum. */
  content?: Uint8Array;
  independent?: boolean;
  blockChecksum?: boolean;
  contentChecksum?: boolean;
  contentSize?: bigint;
  dictId?: number;
  /** BD block maximum size id, 4..7 (default 4: 64 KiB). */
  blockId?: number;
  /** Bits ORed into FLG / BD after the rest is set (for reserved-bit tests). */
  flgExtra?: number;
  bdExtra?: number;
  /** Replaces the header checksum byte. */
  headerChecksum?: number;
}

export function u32le(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, true);
  return b;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** A compressed block of `raw` from our fast compressor. */
export function compressedBlock(raw: Uint8Array): Uint8Array {
  const dst = new Uint8Array(compressBound(raw.length));
  const size = new FastCompressor().compress(raw, dst, 0, dst.length);
  return dst.slice(0, size);
}

export function buildFrame(spec: FrameSpec): Uint8Array {
  const independent = spec.independent ?? true;
  const flg = 0x40 | (independent ? 0x20 : 0) | (spec.blockChecksum ? 0x10 : 0) | (spec.contentSize !== undefined ? 0x08 : 0)
    | (spec.contentChecksum ? 0x04 : 0) | (spec.dictId !== undefined ? 0x01 : 0) | (spec.flgExtra ?? 0);
  const bd = ((spec.blockId ?? 4) << 4) | (spec.bdExtra ?? 0);
  const descriptor: number[] = [flg, bd];
  if (spec.contentSize !== undefined) {
    const size = new Uint8Array(8);
    new DataView(size.buffer).setBigUint64(0, spec.contentSize, true);
    descriptor.push(...size);
  }
  if (spec.dictId !== undefined) descriptor.push(...u32le(spec.dictId));
  const hc = spec.headerChecksum ?? (xxhash32(new Uint8Array(descriptor)) >>> 8) & 0xff;
  const parts: Uint8Array[] = [u32le(0x184d2204), new Uint8Array([...descriptor, hc])];
  for (const block of spec.blocks) {
    parts.push(u32le(block.sizeWord ?? (block.data.length | (block.stored ? 0x80000000 : 0))), block.data);
    if (spec.blockChecksum) parts.push(u32le(xxhash32(block.data)));
  }
  parts.push(u32le(0));
  if (spec.contentChecksum) parts.push(u32le(xxhash32(spec.content ?? new Uint8Array())));
  return concat(...parts);
}

export function skippableFrame(payload: Uint8Array, nibble = 0): Uint8Array {
  return concat(u32le(0x184d2a50 + nibble), u32le(payload.length), payload);
}
