import { open, type FileHandle } from "node:fs/promises";
import { corrupt } from "../errors.js";

/**
 * A file opened once for positioned reads. Readers ask for exact ranges; asking for
 * bytes past the end is a corrupt-file error rather than a short read, so a size
 * claimed by a file is checked against the real size before anything is allocated.
 */
export class RandomAccessFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<RandomAccessFile> {
    const handle = await open(path, "r");
    try {
      const stat = await handle.stat();
      if (stat.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
      return new RandomAccessFile(path, handle, stat.size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Reads exactly `length` bytes at `offset`, or fails naming the range. */
  async read(offset: number, length: number): Promise<Uint8Array> {
    this.checkRange(offset, length);
    const bytes = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(bytes, done, length - done, offset + done);
      if (bytesRead === 0) throw corrupt(`unexpected end of file at byte ${offset + done}`, this.path);
      done += bytesRead;
    }
    return bytes;
  }

  /** Up to `length` bytes from the start (fewer when the file is shorter). */
  async head(length: number): Promise<Uint8Array> {
    return this.read(0, Math.min(length, this.size));
  }

  checkRange(offset: number, length: number): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw corrupt(`range ${offset}+${length} lies outside the file (${this.size} bytes)`, this.path);
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
