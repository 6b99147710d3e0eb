// binary16 / bfloat16 conversions against an independent implementation.
//
// f32 → f16 is compared bit for bit with @petamoriken/float16 (`new Float16Array(f32)`,
// which rounds each value to nearest-even in double arithmetic, a different algorithm
// from ours). All 2^32 float32 patterns take ~5 minutes on this 2-core machine
// (CKPT_F16_FULL_SWEEP=1: 311 s, passed — the library costs ≈ 40 ns per element), so CI
// runs a stratified set of ~86 M patterns instead (~4 s):
//   - every positive f32 whose half is finite and non-zero-by-underflow, exhaustively:
//     all 2^23 mantissas of each exponent near the boundaries (102 = ties to zero,
//     103, 112 = largest subnormals carrying into the smallest normal, 113, 127 = 1.0,
//     141, 142 = rounding into 65504/+Inf, 143 = first all-overflow exponent);
//   - for all 256 exponents × both signs: the exact halfway point and ±1 ulp around it
//     at every rounding position a half can have (bit 12 for normal halves, bits
//     13…23 for the subnormal ones), with odd and even kept mantissas, kept mantissas of
//     all ones (carry into the exponent), zero, and random ones;
//   - 2 M uniformly random bit patterns; the named specials (±0, ±Inf, 65504,
//     65519.99, 65520, 2^-24, 2^-25, …).
// CKPT_F16_FULL_SWEEP=1 runs all 2^32 patterns instead.
//
// NaN: the library canonicalises NaN through a JS number, so NaN is compared by
// NaN-ness only. Our own rule, tested separately: NaN stays NaN, keeps its sign and the
// top 10 payload bits, and is made quiet (0x7e00 set) — x86 F16C `vcvtps2ph`, which is
// PyTorch's vectorised CPU cast, and Arm `FCVT` do the same. So a quiet f16 NaN
// survives f16 → f32 → f16 unchanged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Float16Array } from "@petamoriken/float16";
import { Tensor, bf16ToF32, castTensor, f16ToF32, f32BitsToF16Bits, f32ToBf16, f32ToF16 } from "../src/index.js";

const isF16NaN = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;

/** The library's f16 bits for every element of `f32`. */
function libraryF16(f32: Float32Array): Uint16Array {
  return new Uint16Array(new Float16Array(f32).buffer);
}

/** Compares ours with the library over `bits` (f32 patterns); returns the number checked. */
function checkAgainstLibrary(bits: Uint32Array): number {
  const f32 = new Float32Array(bits.buffer, bits.byteOffset, bits.length);
  const ours = f32ToF16(f32);
  const theirs = libraryF16(f32);
  for (let i = 0; i < bits.length; i++) {
    if (ours[i] === theirs[i]) continue;
    const x = bits[i]!;
    const nan = (x & 0x7fffffff) > 0x7f800000;
    if (nan && isF16NaN(ours[i]!) && isF16NaN(theirs[i]!)) continue;
    assert.fail(`f32 0x${x.toString(16).padStart(8, "0")} (${f32[i]}): ours 0x${ours[i]!.toString(16)}, library 0x${theirs[i]!.toString(16)}`);
  }
  // The scalar entry point must agree with the array loop.
  for (let i = 0; i < bits.length; i += 97) assert.equal(f32BitsToF16Bits(bits[i]!), ours[i], `scalar vs array at 0x${bits[i]!.toString(16)}`);
  return bits.length;
}

/** Every mantissa of exponent `e` with sign bit `sign`. */
function exponentBlock(e: number, sign: number): Uint32Array {
  const out = new Uint32Array(1 << 23);
  const head = ((sign << 31) | (e << 23)) >>> 0;
  for (let m = 0; m < 1 << 23; m++) out[m] = (head | m) >>> 0;
  return out;
}

/** A small seeded generator, so a failure is reproducible. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

function boundaryPatterns(): Uint32Array {
  const rand = xorshift(0x5eed);
  const out: number[] = [];
  for (let e = 0; e < 256; e++) {
    for (const sign of [0, 1]) {
      // p: the bit of the 23-bit mantissa field worth half an ulp of the half (23 = the implicit bit).
      for (let p = 12; p <= 23; p++) {
        const half = 2 ** p;
        const rests = p === 23 ? [0, 1, 0x3fffff, 0x400000, 0x7fffff] : [0, 1, half - 1, half, half + 1, 2 * half - 1];
        const highBits = 22 - p; // mantissa bits above the halfway bit
        const kept = highBits <= 0 ? [0] : [0, 1, 2, 3, (1 << highBits) - 1, (1 << highBits) - 2, rand() & ((1 << highBits) - 1), rand() & ((1 << highBits) - 1)];
        for (const k of kept) {
          for (const r of rests) {
            const m = p === 23 ? r & 0x7fffff : ((k * 2 * half) + r) & 0x7fffff;
            out.push(((sign << 31) | (e << 23) | m) >>> 0);
          }
        }
      }
      for (let i = 0; i < 64; i++) out.push(((sign << 31) | (e << 23) | (rand() & 0x7fffff)) >>> 0);
    }
  }
  return Uint32Array.from(out);
}

const f32Of = (bitsValue: number) => new Float32Array(Uint32Array.of(bitsValue).buffer)[0]!;
const bitsOf = (value: number) => new Uint32Array(Float32Array.of(value).buffer)[0]!;

test("f32 → f16: named values (IEEE facts) and the library agree", () => {
  const cases: [number, number][] = [
    [0, 0x0000], [-0, 0x8000], [Infinity, 0x7c00], [-Infinity, 0xfc00],
    [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [-65504, 0xfbff],
    [Math.fround(65519.99), 0x7bff], [65520, 0x7c00], [-65520, 0xfc00], [1e10, 0x7c00], [3.4028234663852886e38, 0x7c00],
    [2 ** -24, 0x0001], [2 ** -25, 0x0000], [-(2 ** -25), 0x8000], [Math.fround(2 ** -25 * (1 + 2 ** -23)), 0x0001],
    [3 * 2 ** -25, 0x0002], [5 * 2 ** -25, 0x0002], [7 * 2 ** -25, 0x0004], [2 ** -14, 0x0400], [2 ** -14 - 2 ** -25, 0x0400],
    [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [1 + 2 ** -11 + 2 ** -23, 0x3c01], [2 - 2 ** -12, 0x4000],
    [1e-45, 0x0000], [f32Of(0x00000001), 0x0000], [f32Of(0x807fffff), 0x8000],
  ];
  const input = Float32Array.from(cases.map(([v]) => v));
  const ours = f32ToF16(input);
  const theirs = libraryF16(input);
  cases.forEach(([value, want], i) => {
    assert.equal(ours[i], want, `ours for ${value}: 0x${ours[i]!.toString(16)}`);
    assert.equal(theirs[i], want, `library for ${value}`);
  });
});

test("f32 → f16 is bit-identical to @petamoriken/float16 over a stratified sweep (every exponent, every rounding boundary)", () => {
  let checked = 0;
  if (process.env.CKPT_F16_FULL_SWEEP === "1") {
    const chunk = new Uint32Array(1 << 24);
    for (let start = 0; start < 2 ** 32; start += chunk.length) {
      for (let i = 0; i < chunk.length; i++) chunk[i] = start + i;
      checked += checkAgainstLibrary(chunk);
    }
    assert.equal(checked, 2 ** 32);
    return;
  }
  for (const e of [102, 103, 112, 113, 127, 141, 142, 143]) checked += checkAgainstLibrary(exponentBlock(e, 0));
  for (const e of [112, 142]) checked += checkAgainstLibrary(exponentBlock(e, 1));
  checked += checkAgainstLibrary(boundaryPatterns());
  const rand = xorshift(20240601);
  const random = new Uint32Array(1 << 21);
  for (let i = 0; i < random.length; i++) random[i] = rand();
  checked += checkAgainstLibrary(random);
  assert.ok(checked > 80_000_000, `${checked} patterns`);
});

test("f32 → f16: NaN stays NaN with its sign and top payload bits, made quiet; ±Inf stay ±Inf", () => {
  const rand = xorshift(7);
  const payloads = [1, 0x1fff, 0x2000, 0x3fffff, 0x400000, 0x400001, 0x7fe000, 0x7fffff];
  for (let i = 0; i < 1000; i++) payloads.push((rand() & 0x7fffff) || 1);
  for (const sign of [0, 1]) {
    for (const m of payloads) {
      const x = ((sign << 31) | 0x7f800000 | m) >>> 0;
      const h = f32BitsToF16Bits(x);
      assert.ok(isF16NaN(h), `0x${x.toString(16)} → 0x${h.toString(16)} is not NaN`);
      assert.equal(h >>> 15, sign, "sign kept");
      assert.equal(h & 0x200, 0x200, "quiet");
      assert.equal(h & 0x1ff, (m >>> 13) & 0x1ff, "top payload bits kept");
      assert.equal(f32ToF16(Float32Array.of(f32Of(x)))[0], h, "array path agrees");
    }
  }
  // A quiet f16 NaN survives f16 → f32 → f16.
  const quiet = new Uint16Array(2 * 512);
  for (let i = 0; i < 512; i++) { quiet[i] = 0x7e00 | i; quiet[512 + i] = 0xfe00 | i; }
  assert.deepEqual(f32ToF16(f16ToF32(quiet)), quiet);
});

test("f16 → f32 is exact for all 65536 patterns (against the library) and f16 → f32 → f16 is the identity", () => {
  const all = new Uint16Array(65536);
  for (let h = 0; h < 65536; h++) all[h] = h;
  const ours = f16ToF32(all);
  const oursBits = new Uint32Array(ours.buffer); // read NaN bits without a JS number (which would quiet them)
  const library = new Float16Array(all.buffer);
  for (let h = 0; h < 65536; h++) {
    const want = library[h]!;
    if (isF16NaN(h)) {
      assert.ok(Number.isNaN(ours[h]), `0x${h.toString(16)}`);
      assert.equal(oursBits[h], (((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13)) >>> 0, "payload and sign kept");
      continue;
    }
    assert.ok(Object.is(ours[h], want), `0x${h.toString(16)}: ours ${ours[h]}, library ${want}`);
  }
  const back = f32ToF16(ours);
  for (let h = 0; h < 65536; h++) if (!isF16NaN(h) || h & 0x200) assert.equal(back[h], h, `round trip of 0x${h.toString(16)}`);
});

async function castBits(dtype: "f64" | "f32", values: number[], target: "f16" | "bf16"): Promise<Uint16Array> {
  const array = dtype === "f64" ? Float64Array.from(values) : Float32Array.from(values);
  const tensor = Tensor.fromBytes(dtype, [values.length], new Uint8Array(array.buffer));
  const cast = castTensor(tensor, target);
  assert.equal(cast.dtype, target);
  const bytes = await cast.source.read();
  return new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

test("f64 → f16 rounds through f32 like PyTorch (double→float→Half), not directly", async () => {
  // No fixture converts an f64 tensor to f16 (see format-thalia's precision.test.ts), so this
  // pins down PyTorch's rule: c10::Half has only a float constructor, so a double is first
  // rounded to float. 1 + 2^-11 + 2^-40 lies just above the f16 halfway point between 1 and
  // 1 + 2^-10, but rounds to exactly that halfway point in f32, and the tie then goes to even.
  const x = 1 + 2 ** -11 + 2 ** -40;
  const direct = new Uint16Array(new Float16Array(Float64Array.of(x)).buffer)[0];
  assert.equal(direct, 0x3c01, "rounded directly, the value goes up (the case discriminates)");
  const [viaCast] = await castBits("f64", [x], "f16");
  assert.equal(viaCast, f32BitsToF16Bits(bitsOf(Math.fround(x))));
  assert.equal(viaCast, 0x3c00);
  // Elsewhere f64 → f16 agrees with rounding the f32 value: a random sample, incl. overflow and subnormals.
  const rand = xorshift(99);
  const values = Array.from({ length: 4096 }, (_, i) => (rand() / 2 ** 32 - 0.5) * 2 ** ((i % 60) - 30));
  values.push(65519.999999, 65520, -1e300, 2 ** -25, 2 ** -25 + 2 ** -60, 0, -0);
  const got = await castBits("f64", values, "f16");
  const want = f32ToF16(Float32Array.from(values));
  assert.deepEqual(got, want);
});

/** bf16 round-to-nearest-even computed independently: the nearer of the two neighbours by value. */
function referenceBf16(x: number): number {
  const abs = x & 0x7fffffff;
  const sign = (x >>> 16) & 0x8000;
  if (abs > 0x7f800000) return -1; // NaN: checked separately
  if (abs === 0x7f800000) return sign | 0x7f80;
  const lo = abs >>> 16;
  const value = (bits16: number) => (bits16 === 0x7f80 ? 2 ** 128 : f32Of(bits16 << 16)); // +Inf counts as 2^128 for RNE overflow
  const v = f32Of(abs);
  const below = v - value(lo);
  const above = value(lo + 1) - v;
  const pick = below < above ? lo : above < below ? lo + 1 : lo % 2 === 0 ? lo : lo + 1;
  return sign | pick;
}

test("f32 → bf16 rounds to nearest even (against an independent reference) and keeps NaN NaN", async () => {
  const rand = xorshift(1234);
  const patterns: number[] = [];
  for (let e = 0; e < 256; e++) {
    for (const sign of [0, 1]) {
      for (const low of [0, 1, 0x7fff, 0x8000, 0x8001, 0xffff]) {
        for (const high of [0, 1, 0x7e, 0x7f, rand() & 0x7f, rand() & 0x7f]) patterns.push(((sign << 31) | (e << 23) | (high << 16) | low) >>> 0);
      }
    }
  }
  for (let i = 0; i < 200_000; i++) patterns.push(rand());
  const bits = Uint32Array.from(patterns);
  const ours = f32ToBf16(new Float32Array(bits.buffer));
  let nans = 0;
  for (let i = 0; i < bits.length; i++) {
    const want = referenceBf16(bits[i]!);
    if (want === -1) {
      nans++;
      assert.ok((ours[i]! & 0x7f80) === 0x7f80 && (ours[i]! & 0x7f) !== 0, `NaN 0x${bits[i]!.toString(16)} → 0x${ours[i]!.toString(16)}`);
      assert.equal(ours[i]! >>> 15, bits[i]! >>> 31, "NaN sign kept");
      assert.equal(ours[i]! & 0x40, 0x40, "quiet");
      continue;
    }
    assert.equal(ours[i], want, `0x${bits[i]!.toString(16)}: ours 0x${ours[i]!.toString(16)}, reference 0x${want.toString(16)}`);
  }
  assert.ok(nans > 100, "the sample holds NaNs");
  // bf16 → f32 is exact and bf16 → f32 → bf16 is the identity for non-NaN patterns.
  const all = new Uint16Array(65536);
  for (let h = 0; h < 65536; h++) all[h] = h;
  const widened = bf16ToF32(all);
  const back = f32ToBf16(widened);
  for (let h = 0; h < 65536; h++) {
    if ((h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0) continue;
    assert.equal(back[h], h);
  }
  // castTensor f32 → bf16 uses the same rounding, and f64 sources go through f32.
  assert.deepEqual(await castBits("f32", [1 + 2 ** -8, 1 + 3 * 2 ** -8, -(2 ** 130) / 4], "bf16"), Uint16Array.of(0x3f80, 0x3f82, 0xff80));
  assert.deepEqual(await castBits("f64", [1 + 2 ** -8 + 2 ** -40], "bf16"), f32ToBf16(Float32Array.of(Math.fround(1 + 2 ** -8 + 2 ** -40))));
});
