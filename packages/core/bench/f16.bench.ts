/**
 * f32 ↔ f16 throughput, ours (core/precision/half.ts) against @petamoriken/float16, on
 * 64 Mi elements of weight-like data: normal(0, 0.05) with 5 % zeros, 1 % in the half's
 * subnormal range and 0.5 % past 65504 (overflow to ±Inf). Best of N runs, printed as a
 * markdown table in elements/s. The library's per-element DataView calls are far slower,
 * so they run on a 1 Mi-element slice (the rate is per element either way).
 * Run: pnpm bench (or pnpm --filter @ckpt/core bench). CKPT_BENCH_ELEMENTS overrides the size.
 */
import { Float16Array, getFloat16, setFloat16 } from "@petamoriken/float16";
import { f16ToF32, f32ToF16 } from "../src/index.js";

const ELEMENTS = Number(process.env.CKPT_BENCH_ELEMENTS ?? 64 * 2 ** 20);
const SLICE = Math.min(ELEMENTS, 2 ** 20);

function weights(n: number): Float32Array {
  let seed = 0x9e3779b9;
  const uniform = () => {
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return (seed + 0.5) / 2 ** 32;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const kind = uniform();
    const gauss = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    if (kind < 0.05) out[i] = 0;
    else if (kind < 0.06) out[i] = gauss * 2e-6; // subnormal halves (< 2^-14 ≈ 6.1e-5)
    else if (kind < 0.065) out[i] = gauss * 1e5; // mostly beyond 65504
    else out[i] = gauss * 0.05;
  }
  return out;
}

/** Best wall time of `runs` calls of `fn`, in seconds. */
function best(runs: number, fn: () => unknown): number {
  let fastest = Infinity;
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    fn();
    fastest = Math.min(fastest, (performance.now() - started) / 1000);
  }
  return fastest;
}

const data = weights(ELEMENTS);
const slice = data.subarray(0, SLICE);
const halves = f32ToF16(data);
const halfSlice = halves.subarray(0, SLICE);

// The two must agree before their speeds mean anything.
const library = new Uint16Array(new Float16Array(slice).buffer);
for (let i = 0; i < SLICE; i++) if (library[i] !== halves[i]) throw new Error(`mismatch at ${i}: ${data[i]}`);

const rows: [string, string, number, number][] = [];
const measure = (direction: string, impl: string, n: number, runs: number, fn: () => unknown) => {
  fn(); // warm up
  rows.push([direction, impl, n, n / best(runs, fn)]);
};

measure("f32 → f16", "ckpt `f32ToF16`", ELEMENTS, 5, () => f32ToF16(data));
measure("f32 → f16", "float16 `new Float16Array(f32)`", ELEMENTS, 3, () => new Float16Array(data));
measure("f32 → f16", "float16 `setFloat16` loop", SLICE, 3, () => {
  const view = new DataView(new ArrayBuffer(SLICE * 2));
  for (let i = 0; i < SLICE; i++) setFloat16(view, i * 2, slice[i]!, true);
});
measure("f16 → f32", "ckpt `f16ToF32`", ELEMENTS, 5, () => f16ToF32(halves));
measure("f16 → f32", "float16 `getFloat16` loop", SLICE, 3, () => {
  const view = new DataView(halfSlice.buffer, halfSlice.byteOffset, halfSlice.byteLength);
  const out = new Float32Array(SLICE);
  for (let i = 0; i < SLICE; i++) out[i] = getFloat16(view, i * 2, true);
});
measure("f16 → f32", "float16 `Float32Array.from(Float16Array)`", SLICE, 3, () => Float32Array.from(new Float16Array(halfSlice.buffer, halfSlice.byteOffset, SLICE)));

const fmt = (rate: number) => (rate >= 1e9 ? `${(rate / 1e9).toFixed(2)} G` : `${(rate / 1e6).toFixed(1)} M`);
console.log(`\nf16 conversions, Node ${process.version}, best of N\n`);
console.log("| direction | implementation | elements | elements/s |");
console.log("|---|---|---:|---:|");
for (const [direction, impl, n, rate] of rows) console.log(`| ${direction} | ${impl} | ${n.toLocaleString("en")} | ${fmt(rate)} |`);
for (const direction of ["f32 → f16", "f16 → f32"]) {
  const ours = rows.find(([d, impl]) => d === direction && impl.startsWith("ckpt"))![3];
  const fastest = Math.max(...rows.filter(([d, impl]) => d === direction && !impl.startsWith("ckpt")).map((row) => row[3]));
  console.log(`\n${direction}: ckpt is ${(ours / fastest).toFixed(1)}× the library's fastest path`);
}
