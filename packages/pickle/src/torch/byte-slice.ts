import { CkptError, FileRangeSource, MemorySource, type ByteSource } from "@ckpt/core";

/**
 * A byte range of another source, as lazy as the parent: a file range stays a file
 * range (nothing read), memory stays a view, anything else is cut on demand.
 */
export function sliceSource(parent: ByteSource, start: number, length: number): ByteSource {
  if (start === 0 && length === parent.byteLength) return parent;
  if (start < 0 || length < 0 || start + length > parent.byteLength) {
    throw new CkptError("CORRUPT", `byte range ${start}+${length} lies outside a storage of ${parent.byteLength} bytes`);
  }
  if (parent instanceof FileRangeSource) return new FileRangeSource(parent.file, parent.offset + start, length);
  if (parent instanceof MemorySource) return new MemorySource(parent.bytes.subarray(start, start + length));
  return new SliceSource(parent, start, length);
}

class SliceSource implements ByteSource {
  constructor(
    private readonly parent: ByteSource,
    private readonly start: number,
    readonly byteLength: number,
  ) {}

  async *chunks(chunkSize?: number): AsyncIterable<Uint8Array> {
    const end = this.start + this.byteLength;
    let at = 0;
    for await (const chunk of this.parent.chunks(chunkSize)) {
      const from = Math.max(this.start - at, 0);
      const to = Math.min(end - at, chunk.byteLength);
      if (to > from) yield chunk.subarray(from, to);
      at += chunk.byteLength;
      if (at >= end) break;
    }
  }

  async read(): Promise<Uint8Array> {
    const all = await this.parent.read();
    return all.subarray(this.start, this.start + this.byteLength);
  }
}

/**
 * A source whose bytes are found after it is first referenced: the legacy format
 * names storages in its pickle and stores their bytes after it.
 */
export class DeferredSource implements ByteSource {
  private target: ByteSource | undefined;

  constructor(
    readonly byteLength: number,
    private readonly label: string,
  ) {}

  resolve(target: ByteSource): void {
    if (target.byteLength !== this.byteLength) {
      throw new CkptError("CORRUPT", `${this.label} holds ${target.byteLength} bytes, the pickle says ${this.byteLength}`);
    }
    this.target = target;
  }

  get resolved(): boolean {
    return this.target !== undefined;
  }

  private get source(): ByteSource {
    if (!this.target) throw new CkptError("CORRUPT", `${this.label} has no data`);
    return this.target;
  }

  chunks(chunkSize?: number): AsyncIterable<Uint8Array> {
    return this.source.chunks(chunkSize);
  }

  read(): Promise<Uint8Array> {
    return this.source.read();
  }
}
