import { mkdtemp, rm, open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RandomAccessFile } from "./random-access-file.js";
import { writeChunks } from "./write-chunks.js";
import { trackTemp } from "./interrupt-cleanup.js";

/**
 * Owns the temporary files and open handles of one operation and removes them all at
 * the end, whatever happened. Decompressed inputs are spilled here so that formats can
 * read them at random without the whole body in memory.
 */
export class TempScope {
  private dir: string | undefined;
  private untrack: (() => void) | undefined;
  private readonly files: RandomAccessFile[] = [];
  private counter = 0;

  /** Keeps `file` open until the scope closes. */
  adopt(file: RandomAccessFile): RandomAccessFile {
    this.files.push(file);
    return file;
  }

  async spill(chunks: AsyncIterable<Uint8Array>): Promise<RandomAccessFile> {
    if (!this.dir) {
      this.dir = await mkdtemp(join(tmpdir(), "ckpt-"));
      this.untrack = trackTemp(this.dir);
    }
    const path = join(this.dir, `spill-${this.counter++}`);
    const handle = await open(path, "wx", 0o600);
    try {
      await writeChunks(handle, chunks);
    } finally {
      await handle.close();
    }
    return this.adopt(await RandomAccessFile.open(path));
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.files.map((file) => file.close()));
    this.files.length = 0;
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.untrack?.();
    this.dir = undefined;
    this.untrack = undefined;
  }
}
