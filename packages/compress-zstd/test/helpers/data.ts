/** Deterministic test data: no randomness between runs, so failures reproduce. */

/** A small, fast PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Bytes with no redundancy at all: zstd stores them as raw blocks. */
export function incompressible(size: number, seed = 1): Buffer {
  const next = prng(seed);
  const out = Buffer.allocUnsafe(size);
  const words = new Uint32Array(out.buffer, out.byteOffset, size >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = next();
  for (let i = words.length * 4; i < size; i++) out[i] = next() & 0xff;
  return out;
}

/**
 * Checkpoint-like float32 data: 4 KiB pages of zeros (pruned or untouched tensors) between
 * pages of smooth, quantised weights with sparse spikes. Compresses well and quickly.
 */
export function compressible(size: number, seed = 2): Buffer {
  const next = prng(seed);
  const out = Buffer.alloc(size);
  const floats = new Float32Array(out.buffer, out.byteOffset, size >>> 2);
  for (let i = 0; i < floats.length; i++) {
    if ((i >> 10) % 4 === 0) continue;
    floats[i] = Math.round(Math.sin(i / 97) * 64) / 256 + ((next() & 63) === 0 ? 1 : 0);
  }
  return out;
}

/** Splits into irregular chunk sizes, as a file or socket would deliver them. */
export async function* chunked(data: Uint8Array, sizes: readonly number[] = [65536, 1, 7, 300_000, 4096]): AsyncGenerator<Uint8Array> {
  let i = 0;
  for (let at = 0; at < data.length; i++) {
    const size = sizes[i % sizes.length] as number;
    yield data.subarray(at, at + size);
    at += size;
  }
}

export async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}
