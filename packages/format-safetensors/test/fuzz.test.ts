import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CkptError, OpaqueObject, Tensor, Tuple, manifestTree, walkTensors, type Node } from "@ckpt/core";
import { encodeToBuffer, headerOf, reference, tempDir, withDecoded } from "./helpers.js";

/**
 * Property: whatever bytes a .safetensors file holds, reading it (header, tree, every
 * tensor's bytes, the manifest) either succeeds or throws a CkptError, quickly. Cases
 * come from a seeded PRNG (mulberry32), so a failure names a case that can be replayed.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 0x5afe7e45);
const CASES = Number(process.env.FUZZ_CASES ?? 3000);

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, items: readonly T[]): T => items[int(r, items.length)]!;

function withHeader(text: string, data: Uint8Array, n?: bigint): Buffer {
  const json = Buffer.from(text, "utf8");
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(n ?? BigInt(json.byteLength));
  return Buffer.concat([head, json, data]);
}

const DTYPES = ["F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "U16", "U32", "U64", "BOOL", "C64", "F8_E4M3", "F8_E5M2", "F4", "F6_E2M3", "F8_E8M0", "f32", "X", ""];
const NUMBERS = ["0", "1", "2", "3", "4", "8", "-1", "1.5", "1e3", "18446744073709551615", "18446744073709551616", "9007199254740993", "4294967296", "null", '"2"', "[]", "{}", "true"];

/** A header of random but plausible shape: entries with random fields, some near-valid. */
function randomHeader(r: Rand): Buffer {
  const entries: string[] = [];
  let at = 0;
  const count = int(r, 5);
  for (let i = 0; i < count; i++) {
    const dims = Array.from({ length: int(r, 4) }, () => (r() < 0.8 ? String(int(r, 5)) : pick(r, NUMBERS)));
    const size = dims.reduce((p, d) => p * (Number(d) || 0), 1) * 4;
    const begin = r() < 0.8 ? String(at) : pick(r, NUMBERS);
    const end = r() < 0.8 ? String(at + (Number.isFinite(size) ? size : 0)) : pick(r, NUMBERS);
    at = Number(end) || at;
    const offsets = r() < 0.9 ? `[${begin},${end}]` : `[${Array.from({ length: int(r, 4) }, () => pick(r, NUMBERS)).join(",")}]`;
    const fields = [`"dtype":"${r() < 0.7 ? "F32" : pick(r, DTYPES)}"`, `"shape":[${dims.join(",")}]`, `"data_offsets":${offsets}`].filter(() => r() < 0.95);
    if (r() < 0.1) fields.push(`"extra":${pick(r, NUMBERS)}`);
    entries.push(`${JSON.stringify(pick(r, ["a", "b.c", "a.b.c", "a", "\\.", "x\\\\y", "é", "__metadata__"]) + i)}:{${fields.join(",")}}`);
  }
  if (r() < 0.5) {
    const meta = Array.from({ length: int(r, 3) }, () => `${JSON.stringify(pick(r, ["format", "ckpt.tree", "k"]))}:${r() < 0.8 ? JSON.stringify(pick(r, ["pt", "{}", '{"a":{"$tensor":"a0"}}', "[", '{"$tuple":1}'])) : pick(r, NUMBERS)}`);
    entries.unshift(`"__metadata__":{${meta.join(",")}}`);
  }
  return withHeader(`{${entries.join(",")}}${" ".repeat(int(r, 8))}`, new Uint8Array(Math.min(1 << 16, Math.max(0, at + int(r, 3) - 1))).map(() => int(r, 256)));
}

function mutate(r: Rand, base: Buffer): Buffer {
  const out = Buffer.from(base);
  switch (int(r, 6)) {
    case 0: { // flip bytes, mostly in the header
      const n = Math.min(out.byteLength, 8 + Number(out.readBigUInt64LE(0) % 100000n));
      for (let k = 1 + int(r, 4); k > 0; k--) out[int(r, n)] = int(r, 256);
      return out;
    }
    case 1: return out.subarray(0, int(r, out.byteLength)); // truncate
    case 2: { // a random header length
      const choices = [0n, 1n, 7n, BigInt(out.byteLength), BigInt(out.byteLength - 8), 100_000_000n, 100_000_001n, (1n << 64n) - 1n, BigInt(int(r, 2 ** 31))];
      out.writeBigUInt64LE(pick(r, choices), 0);
      return out;
    }
    case 3: { // splice: delete or insert a few bytes
      const at = int(r, out.byteLength);
      return r() < 0.5 ? Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + int(r, 8))]) : Buffer.concat([out.subarray(0, at), Buffer.from([int(r, 256), 0x22, 0x7b]), out.subarray(at)]);
    }
    case 4: { // edit the JSON text of a metadata value (ckpt.tree) and re-frame it validly
      try {
        const { n, json } = headerOf(out);
        const meta = json.get("__metadata__");
        if (!(meta instanceof Map) || meta.size === 0) return out;
        const key = pick(r, [...meta.keys()]) as string;
        const text = String(meta.get(key));
        const cut = int(r, text.length + 1);
        const edits = ["", "{", "}", "[", "]", ",", '"', "1", "1.0", "NaN", '{"$tensor":"zz"}', '{"$map":[[1]]}', '{"$object":1}', '{"$float":"x"}', '{"$bytes":[]}', '{"$tuple":{}}', '{"$map":[[[],1]]}'];
        meta.set(key, text.slice(0, cut) + pick(r, edits) + text.slice(cut + int(r, 6)));
        const rest = [...json].filter(([k]) => k !== "__metadata__");
        const header = JSON.stringify(Object.fromEntries([["__metadata__", Object.fromEntries(meta)], ...rest.map(([k, v]) => [k, plain(v)])]));
        return withHeader(header, out.subarray(8 + n));
      } catch {
        return out;
      }
    }
    default: return randomHeader(r);
  }
}

function plain(value: Node): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, plain(v)]));
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

async function seeds(): Promise<Buffer[]> {
  const f32 = (n: number) => Tensor.fromBytes("f32", [n], new Uint8Array(4 * n).map((_, i) => i));
  const tree = new Map<string, Node>([
    ["metadata", new Map<string, Node>([["epoch", 3n], ["name", "x"]])],
    ["regions", new Map<string, Node>([["a.b", new Map<string, Node>([["w", f32(3)], ["t", new Tuple([1n, 2.5, f32(1)])]])], ["o", new OpaqueObject("m.C", [NaN], new Map([["k", new Uint8Array([1])]]))]])],
    ["list", [f32(0), null, true]],
  ]);
  return [
    readFileSync(reference("edge_cases.safetensors")),
    readFileSync(reference("brain_v2_flat.safetensors")),
    await encodeToBuffer({ root: tree }),
    await encodeToBuffer({ root: new Map([["x", f32(2)], ["y", Tensor.fromBytes("bool", [2], new Uint8Array([0, 1]))]]) }),
  ];
}

test(`fuzz: ${CASES} random headers, mutations and truncations only ever succeed or throw CkptError (seed ${SEED})`, { timeout: 300_000 }, async () => {
  const r = prng(SEED);
  const bases = await seeds();
  const path = join(tempDir(), "fuzz.safetensors");
  const outcomes = { ok: 0, refused: 0 };
  const codes = new Map<string, number>();
  for (let i = 0; i < CASES; i++) {
    const bytes = r() < 0.2 ? randomHeader(r) : mutate(r, pick(r, bases));
    writeFileSync(path, bytes);
    const started = performance.now();
    try {
      await withDecoded(path, async (c) => {
        for (const { tensor } of walkTensors(c.root)) for await (const chunk of tensor.source.chunks()) void chunk;
        await manifestTree(c.root);
      }, { unflatten: r() < 0.3 });
      outcomes.ok++;
    } catch (error) {
      if (!(error instanceof CkptError)) {
        writeFileSync(join(tempDir(), `fuzz-failure-${i}.safetensors`), bytes);
        assert.fail(`case ${i} (seed ${SEED}) threw ${(error as Error)?.stack ?? String(error)}`);
      }
      assert.ok(!error.message.includes("\n"), `case ${i}: multi-line message ${error.message}`);
      assert.ok(["CORRUPT", "LIMIT", "UNSUPPORTED"].includes(error.code), `case ${i}: code ${error.code}: ${error.message}`);
      codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
      outcomes.refused++;
    }
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 1000, `case ${i} took ${elapsed.toFixed(0)} ms`);
  }
  // The generator must exercise both sides, or the property says little.
  assert.ok(outcomes.ok > CASES / 50, `only ${outcomes.ok} cases decoded`);
  assert.ok(outcomes.refused > CASES / 2, `only ${outcomes.refused} cases refused`);
  assert.ok((codes.get("LIMIT") ?? 0) > 0 && (codes.get("CORRUPT") ?? 0) > 0);
});
