/** Feeding bytes to a ByteTransform and collecting what comes out. */
import { CkptError } from "@ckpt/core";
import assert from "node:assert/strict";

export async function* chunked(bytes: Uint8Array, size = 1 << 20): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, Math.min(at + size, bytes.length));
}

/** Chunks of varying, odd sizes (1 byte up to ~3 MiB), so reads straddle chunk edges everywhere. */
export async function* ragged(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  const sizes = [1, 3, 7, 4096, 65537, 3 << 20, 2, 1 << 20];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield bytes.subarray(at, Math.min(at + size, bytes.length));
    at += size;
  }
}

export async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

/** Asserts the promise rejects with a CkptError of `code` whose one-line message matches. */
export async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<CkptError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CkptError, `expected a CkptError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.ok(!error.message.includes("\n"), "error message is one line");
    if (message) assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected a ${code} error`);
}
