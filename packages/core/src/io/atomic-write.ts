import { open, rename, unlink, stat, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { CkptError } from "../errors.js";

/**
 * Writes `chunks` to `destination` so that it either appears complete or not at all:
 * the bytes go to a temp file in the same folder, which is fsynced and then renamed.
 * On any failure the temp file is removed and the destination is untouched.
 */
export async function writeAtomically(
  destination: string,
  chunks: AsyncIterable<Uint8Array>,
  options: { force?: boolean } = {},
): Promise<number> {
  if (!options.force && (await exists(destination))) {
    throw new CkptError("EXISTS", "already exists (use --force to overwrite)", { file: destination });
  }
  const temp = join(dirname(destination), `.${basename(destination)}.${randomBytes(4).toString("hex")}.ckpt-tmp`);
  let written = 0;
  try {
    const handle = await open(temp, "wx", 0o644);
    try {
      // Write-behind: positional writes run while the producer makes the next chunks,
      // with at most WRITE_BEHIND bytes in flight (chunks are not reused once yielded).
      const inFlight: { done: Promise<void>; bytes: number }[] = [];
      let pendingBytes = 0;
      let failure: unknown;
      for await (const chunk of chunks) {
        if (failure) throw failure;
        // The catch is attached at once so a failed write is never an unhandled rejection.
        const done = writeAll(handle, chunk, written).catch((error: unknown) => void (failure ??= error));
        inFlight.push({ done, bytes: chunk.byteLength });
        pendingBytes += chunk.byteLength;
        written += chunk.byteLength;
        while (pendingBytes > WRITE_BEHIND) {
          const oldest = inFlight.shift()!;
          await oldest.done;
          pendingBytes -= oldest.bytes;
        }
      }
      await Promise.all(inFlight.map((w) => w.done));
      if (failure) throw failure;
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, destination);
    return written;
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

const WRITE_BEHIND = 16 << 20;

async function writeAll(handle: FileHandle, chunk: Uint8Array, position: number): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset, position + offset);
    offset += bytesWritten;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
