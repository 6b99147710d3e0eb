/**
 * Deterministic checkpoint-like bytes for tests and the benchmark: float32 tensors the
 * way a brain simulation saves them — dense weights, pruned (sparse) weights with zeros,
 * weights rounded to bf16 precision, constant-initialised state with a few changed
 * entries, and small spike counts.
 */

/** xorshift32: fast, deterministic, good enough for test data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** `bytes` (a multiple of 4) of checkpoint-like float32 data. */
export function checkpointLikeData(bytes: number, seed = 1): Uint8Array {
  const out = new Float32Array(bytes >>> 2);
  const bits = new Uint32Array(out.buffer);
  const next = rng(seed);
  const unit = () => next() / 0x1_0000_0000;
  // Roughly normal: the sum of four uniforms, centred.
  const normal = () => unit() + unit() + unit() + unit() - 2;
  let at = 0;
  while (at < out.length) {
    const length = Math.min(out.length - at, 4096 + (next() % (1 << 18)));
    const end = at + length;
    const kind = next() % 10;
    const scale = 0.01 + unit() * 0.2;
    if (kind < 3) {
      for (let i = at; i < end; i++) out[i] = normal() * scale; // dense weights
    } else if (kind < 5) {
      // Pruned weights: whole rows of 256 zeroed, and scattered zeros in the rest.
      for (let row = at; row < end; row += 256) {
        const rowEnd = Math.min(row + 256, end);
        if (next() % 3 === 0) continue; // stays zero
        for (let i = row; i < rowEnd; i++) out[i] = next() % 4 === 0 ? 0 : normal() * scale;
      }
    } else if (kind < 7) {
      for (let i = at; i < end; i++) {
        out[i] = normal() * scale;
        bits[i] = bits[i]! & 0xffff0000; // bf16 precision
      }
    } else if (kind < 9) {
      const base = [-65, -50, 0.5, 1, 0][next() % 5]!; // membrane potentials, thresholds, gains
      out.fill(base, at, end);
      for (let i = at; i < end; i += 1 + (next() % 512)) out[i] = base + normal();
    } else {
      for (let i = at; i < end; i++) out[i] = next() % 7 === 0 ? next() % 5 : 0; // spike counts
    }
    at = end;
  }
  return new Uint8Array(out.buffer);
}

/** `bytes` of uniformly random bytes (incompressible). */
export function randomData(bytes: number, seed = 2): Uint8Array {
  const out = new Uint8Array(bytes);
  const words = new Uint32Array(out.buffer, 0, bytes >>> 2);
  const next = rng(seed);
  for (let i = 0; i < words.length; i++) words[i] = next();
  for (let i = words.length * 4; i < bytes; i++) out[i] = next() & 0xff;
  return out;
}
