/** Hand-built zstd frames (RFC 8878 §3.1.1) for the cases no encoder writes. */
import { xxh64 } from "../../src/xxhash64.js";

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

function le(value: bigint | number, size: number): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  for (let i = 0; i < size; i++, v >>= 8n) out.push(Number(v & 0xffn));
  return out;
}

export function blockHeader(size: number, type: 0 | 1 | 2 | 3, last: boolean): number[] {
  return le((size << 3) | (type << 1) | (last ? 1 : 0), 3);
}

export interface FrameSpec {
  /** Frame_Header_Descriptor; the fields below must agree with it. */
  descriptor: number;
  windowDescriptor?: number;
  dictionaryId?: number[];
  contentSize?: number[];
  /** Raw blocks, the last one flagged last. */
  blocks: Uint8Array[];
  /** Appends the XXH64-based checksum of the blocks' bytes (set bit 2 of the descriptor too). */
  checksum?: boolean;
}

export function frame(spec: FrameSpec): Buffer {
  const bytes = [...MAGIC, spec.descriptor];
  if (spec.windowDescriptor !== undefined) bytes.push(spec.windowDescriptor);
  bytes.push(...(spec.dictionaryId ?? []), ...(spec.contentSize ?? []));
  spec.blocks.forEach((block, i) => bytes.push(...blockHeader(block.length, 0, i === spec.blocks.length - 1), ...block));
  if (spec.checksum) bytes.push(...le(xxh64(Buffer.concat(spec.blocks)) & 0xffffffffn, 4));
  return Buffer.from(bytes);
}

export { le };

export function skippable(payload: Uint8Array, nibble = 0xe): Buffer {
  return Buffer.from([0x50 | nibble, 0x2a, 0x4d, 0x18, ...le(payload.length, 4), ...payload]);
}

/** The header facts of the first frame in `data`, read independently of src/. */
export function headerOf(data: Uint8Array): { contentSize: number | undefined; checksum: boolean } {
  const d = data[4] as number;
  const fcsFlag = d >> 6;
  const single = (d & 0x20) !== 0;
  const fcsSize = fcsFlag === 0 ? (single ? 1 : 0) : 1 << fcsFlag;
  const at = 5 + (single ? 0 : 1) + ([0, 1, 2, 4][d & 3] as number);
  let size = 0;
  for (let k = fcsSize - 1; k >= 0; k--) size = size * 256 + (data[at + k] as number);
  return { contentSize: fcsSize === 0 ? undefined : size + (fcsSize === 2 ? 256 : 0), checksum: (d & 4) !== 0 };
}
