import type { FileHandle } from "node:fs/promises";

/** Bytes allowed in flight before the producer waits for the disk. */
const WRITE_BEHIND = 16 << 20;

/**
 * Writes `chunks` to `handle` from offset 0 with write-behind: positional writes run
 * while the producer makes the next chunks, with at most WRITE_BEHIND bytes in flight
 * (chunks are not reused once yielded). Returns the number of bytes written.
 */
export async function writeChunks(handle: FileHandle, chunks: AsyncIterable<Uint8Array>): Promise<number> {
  const inFlight: { done: Promise<void>; bytes: number }[] = [];
  let pendingBytes = 0;
  let written = 0;
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
  return written;
}

async function writeAll(handle: FileHandle, chunk: Uint8Array, position: number): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset, position + offset);
    offset += bytesWritten;
  }
}
