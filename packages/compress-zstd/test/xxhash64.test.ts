import assert from "node:assert/strict";
import { test } from "node:test";
import { Xxh64, xxh64 } from "../src/xxhash64.js";
import plugin from "../src/index.js";
import { collect, incompressible } from "./helpers/data.js";

// A direct BigInt transcription of the XXH64 definition, to check the fast one against.
const M = (1n << 64n) - 1n;
const [P1, P2, P3, P4, P5] = [0x9e3779b185ebca87n, 0xc2b2ae3d27d4eb4fn, 0x165667b19e3779f9n, 0x85ebca77c2b2ae63n, 0x27d4eb2f165667c5n];
const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & M;
const rd = (d: Uint8Array, i: number, n: number) => [...d.subarray(i, i + n)].reduceRight((v, b) => (v << 8n) | BigInt(b), 0n);
const rnd = (acc: bigint, lane: bigint) => (rotl((acc + lane * P2) & M, 31n) * P1) & M;
function reference(d: Uint8Array): bigint {
  let i = 0;
  let h: bigint;
  if (d.length >= 32) {
    const v = [(P1 + P2) & M, P2, 0n, -P1 & M];
    for (; i + 32 <= d.length; i += 32) for (let k = 0; k < 4; k++) v[k] = rnd(v[k] as bigint, rd(d, i + 8 * k, 8));
    h = (rotl(v[0] as bigint, 1n) + rotl(v[1] as bigint, 7n) + rotl(v[2] as bigint, 12n) + rotl(v[3] as bigint, 18n)) & M;
    for (const lane of v) h = ((h ^ rnd(0n, lane)) * P1 + P4) & M;
  } else h = P5;
  h = (h + BigInt(d.length)) & M;
  for (; i + 8 <= d.length; i += 8) h = (rotl(h ^ rnd(0n, rd(d, i, 8)), 27n) * P1 + P4) & M;
  if (i + 4 <= d.length) {
    h = (rotl(h ^ ((rd(d, i, 4) * P1) & M), 23n) * P2 + P3) & M;
    i += 4;
  }
  for (; i < d.length; i++) h = (rotl(h ^ ((BigInt(d[i] as number) * P5) & M), 11n) * P1) & M;
  h = ((h ^ (h >> 33n)) * P2) & M;
  h = ((h ^ (h >> 29n)) * P3) & M;
  return h ^ (h >> 32n);
}

test("xxh64 matches the published test vectors", () => {
  const text = (s: string) => new TextEncoder().encode(s);
  assert.equal(xxh64(text("")), 0xef46db3751d8e999n);
  assert.equal(xxh64(text("a")), 0xd24ec4f1a98c6e5bn);
  assert.equal(xxh64(text("abc")), 0x44bc2cf5ad770999n);
});

test("xxh64 agrees with the reference for every length up to 300 and any split", () => {
  const data = incompressible(300, 9);
  for (let n = 0; n <= 300; n++) {
    const slice = data.subarray(0, n);
    const expected = reference(slice);
    assert.equal(xxh64(slice), expected, `length ${n}`);
    const split = new Xxh64();
    for (let at = 0; at < n; at += 1 + (at % 37)) split.update(slice.subarray(at, at + 1 + (at % 37)));
    assert.equal(split.digest(), expected, `length ${n}, split`);
  }
});

test("xxh64's low 32 bits are what libzstd stores as the content checksum", async () => {
  for (const n of [0, 31, 32, 1000, 131073, 1 << 20]) {
    const data = incompressible(n, n);
    const frame = await collect(plugin.compress({ level: 1 })((async function* () { yield data; })()));
    assert.equal(frame.readUInt32LE(frame.length - 4), new Xxh64().update(data).digestLow32(), `length ${n}`);
  }
});
