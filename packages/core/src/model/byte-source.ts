import type { RandomAccessFile } from "../io/random-access-file.js";

/** Default chunk for streaming tensor bytes: large enough for throughput, small enough for memory. */
export const DEFAULT_CHUNK = 4 << 20;

/**
 * Where a tensor's bytes come from. Nothing is read until asked, so a plugin can
 * open a many-GB checkpoint and move one tensor at a time.
 */
export interface ByteSource {
  readonly byteLength: number;
  /** The bytes in order, in chunks of at most `chunkSize` bytes. */
  chunks(chunkSize?: number): AsyncIterable<Uint8Array>;
  /** All the bytes in one buffer (the caller accepts holding this one tensor in memory). */
  read(): Promise<Uint8Array>;
}

/** Bytes already in memory. */
export class MemorySource implements ByteSource {
  constructor(readonly bytes: Uint8Array) {}

  get byteLength(): number {
    return this.bytes.byteLength;
  }

  async *chunks(chunkSize = DEFAULT_CHUNK): AsyncIterable<Uint8Array> {
    for (let at = 0; at < this.bytes.byteLength; at += chunkSize) {
      yield this.bytes.subarray(at, Math.min(at + chunkSize, this.bytes.byteLength));
    }
  }

  async read(): Promise<Uint8Array> {
    return this.bytes;
  }
}

/** A byte range of an open file, read on demand. */
export class FileRangeSource implements ByteSource {
  constructor(
    readonly file: RandomAccessFile,
    readonly offset: number,
    readonly byteLength: number,
  ) {
    file.checkRange(offset, byteLength);
  }

  async *chunks(chunkSize = DEFAULT_CHUNK): AsyncIterable<Uint8Array> {
    for (let at = 0; at < this.byteLength; at += chunkSize) {
      yield await this.file.read(this.offset + at, Math.min(chunkSize, this.byteLength - at));
    }
  }

  read(): Promise<Uint8Array> {
    return this.file.read(this.offset, this.byteLength);
  }
}

/**
 * Bytes computed from something else (a sparse record made dense, a widened dtype,
 * a strided view): `produce` runs only when the bytes are needed, and again each time,
 * so nothing is cached behind the caller's back.
 */
export class ComputedSource implements ByteSource {
  constructor(
    readonly byteLength: number,
    private readonly produce: () => Promise<Uint8Array>,
  ) {}

  async *chunks(chunkSize = DEFAULT_CHUNK): AsyncIterable<Uint8Array> {
    yield* new MemorySource(await this.read()).chunks(chunkSize);
  }

  async read(): Promise<Uint8Array> {
    const bytes = await this.produce();
    if (bytes.byteLength !== this.byteLength) {
      throw new Error(`computed tensor has ${bytes.byteLength} bytes, expected ${this.byteLength}`);
    }
    return bytes;
  }
}
