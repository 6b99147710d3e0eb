/**
 * Deterministic checkpoint-like bytes for the benchmark: a sequence of "tensors" of the
 * kinds a brain-simulation checkpoint holds, in realistic proportions. Trained float32
 * weights have noisy mantissas (zstd barely shrinks them); sparse connectivity, membrane
 * potentials near rest, spike masks and untouched buffers are where the ratio comes from.
 */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Roughly normal (sum of four uniforms), cheap and deterministic. */
function normal(next: () => number): number {
  return (next() + next() + next() + next() - 2) * 1.73;
}

type Fill = (out: Float32Array | Uint8Array, next: () => number) => void;

const KINDS: { share: number; bytes: "f32" | "u8"; fill: Fill }[] = [
  // Dense synaptic weights.
  { share: 0.4, bytes: "f32", fill: (o, next) => { for (let i = 0; i < o.length; i++) o[i] = normal(next) * 0.05; } },
  // Sparse connectivity: 85 % of synapses absent.
  { share: 0.3, bytes: "f32", fill: (o, next) => { for (let i = 0; i < o.length; i++) o[i] = next() < 0.85 ? 0 : normal(next) * 0.1; } },
  // Membrane potentials and traces: near rest, recorded to 0.01 mV.
  { share: 0.15, bytes: "f32", fill: (o, next) => { for (let i = 0; i < o.length; i++) o[i] = Math.round((-65 + normal(next) * 3) * 100) / 100; } },
  // Spike and refractory masks, one byte per neuron.
  { share: 0.1, bytes: "u8", fill: (o, next) => { for (let i = 0; i < o.length; i++) o[i] = next() < 0.05 ? 1 : 0; } },
  // Buffers still at their initial zeros (optimizer state, unused delays).
  { share: 0.05, bytes: "u8", fill: () => undefined },
];

/** Yields `total` bytes as tensors of 1–8 MiB, in 1 MiB-ish pieces. */
export function* checkpointLike(total: number, seed = 42): Generator<Uint8Array> {
  const next = prng(seed);
  for (let written = 0; written < total; ) {
    let pick = next();
    const kind = KINDS.find((k) => (pick -= k.share) < 0) ?? (KINDS[0] as (typeof KINDS)[number]);
    const size = Math.min(total - written, (1 + Math.floor(next() * 8)) << 20) & ~3;
    const bytes = new Uint8Array(size);
    kind.fill(kind.bytes === "f32" ? new Float32Array(bytes.buffer) : bytes, next);
    for (let at = 0; at < size; at += 1 << 20) yield bytes.subarray(at, Math.min(size, at + (1 << 20)));
    written += size;
  }
}
