// Custom precision policies: `--precision FILE.json` → parsePrecision → the core precision
// stage converts exactly the tensors the file says; a bad file is one USAGE line naming it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CkptError, Tensor, applyPrecision, f32ToBf16, f32ToF16, walkTensors, dottedPath, type DType, type Node, type PyMap } from "@ckpt/core";
import { parsePrecision } from "../src/precision-option.js";
import { runCkpt } from "./run-cli.js";
import { reference } from "./fixtures.js";


function policyFile(content: unknown, raw = false): string {
  const file = join(mkdtempSync(join(tmpdir(), "ckpt-policy-")), "policy.json");
  writeFileSync(file, raw ? String(content) : JSON.stringify(content));
  return file;
}

const LEAN = {
  name: "lean",
  base: "fp16",
  targets: { default: "bf16", membrane: "keep", thresholds: "f16", conductances: "auto" },
  rules: [
    { match: "Cortex.Synaptic", target: "bf16" }, // case-insensitive, checked before the categories
    { match: "readout", target: "keep" },
  ],
};

function floats(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(i * 12.9898 + seed) * 3.7 + (i % 7 === 0 ? 1e-6 : 0);
  return out;
}

function tensor(dtype: DType, n: number, seed = 1): Tensor {
  const f32 = floats(n, seed);
  const array = dtype === "f32" ? f32
    : dtype === "f64" ? Float64Array.from(f32)
    : dtype === "f16" ? f32ToF16(f32)
    : dtype === "bf16" ? f32ToBf16(f32)
    : dtype === "i64" ? BigInt64Array.from(f32, (v) => BigInt(Math.round(v)))
    : dtype === "i32" ? Int32Array.from(f32, (v) => Math.round(v))
    : Uint8Array.from(f32, (v) => (v > 0 ? 1 : 0));
  return Tensor.fromBytes(dtype, [n], new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
}

// path → [source dtype, numel, what the lean policy must make of it (undefined: untouched)]
const CASES: [string, DType, number, DType | undefined][] = [
  ["regions.cortex.synaptic_weights.thalamus", "f32", 64, "bf16"], // rule beats the weights category
  ["regions.pfc.synaptic_weights.cortex", "f32", 64, "f16"], // base fp16: weights → f16
  ["regions.pfc.readout_weights", "f32", 64, undefined], // rule: keep
  ["regions.pfc.bias", "f64", 32, "f32"], // base fp16: biases → f32 (f64 narrows)
  ["regions.pfc.membrane", "f32", 32, undefined], // membrane: keep
  ["regions.pfc.v_mem_half", "f16", 32, undefined], // keep leaves f16 as f16
  ["regions.pfc.eligibility_trace", "f16", 32, undefined], // traces → f16: already f16, no change
  ["regions.pfc.threshold", "f32", 32, "f16"],
  ["regions.pfc.g_ampa", "f64", 100, "f32"], // auto, 800 bytes ≤ 1 MiB → f32
  ["regions.big.g_nmda", "f32", 300_000, "f16"], // auto, 1.2 MB > 1 MiB → f16
  ["regions.pfc.rate", "f32", 16, "bf16"], // default → bf16
  ["regions.pfc.legacy", "bf16", 16, undefined], // bf16 sources are never converted (reference rule)
  ["regions.pfc.spikes", "bool", 16, undefined], // default → bf16, but bool is never touched
  ["regions.pfc.spike_counts", "i64", 16, undefined],
  ["regions.pfc.w_index", "i32", 16, undefined], // a weights-named int stays an int
];

function tree(): PyMap {
  const root: PyMap = new Map();
  for (const [path, dtype, n] of CASES) {
    const parts = path.split(".");
    let node = root;
    for (const part of parts.slice(0, -1)) {
      if (!node.has(part)) node.set(part, new Map());
      node = node.get(part) as PyMap;
    }
    node.set(parts.at(-1)!, tensor(dtype, n, path.length));
  }
  return root;
}

test("a policy file with category targets, rules, bf16 and keep converts exactly the tensors it names", async () => {
  const policy = await parsePrecision(policyFile(LEAN));
  assert.equal(policy.name, "lean");
  const source = tree();
  const { root, changes } = applyPrecision(source, policy);

  const expected = CASES.filter(([, from, , to]) => to !== undefined && to !== from).map(([path, from, , to]) => ({ path, from, to }));
  assert.deepEqual(changes.map(({ path, from, to }) => ({ path, from, to })).sort((a, b) => a.path.localeCompare(b.path)), expected.sort((a, b) => a.path.localeCompare(b.path)));
  for (const change of changes) {
    const n = CASES.find(([path]) => path === change.path)![2];
    assert.equal(change.bytesBefore, n * ({ f64: 8, f32: 4 } as Record<string, number>)[change.from]!);
    assert.equal(change.bytesAfter, n * 2 * (change.to === "f32" ? 2 : 1));
  }

  const before = new Map<string, Tensor>([...walkTensors(source)].map(({ path, tensor }) => [dottedPath(path), tensor]));
  for (const { path, tensor: after } of walkTensors(root as Node)) {
    const name = dottedPath(path);
    const [, from, , to] = CASES.find(([p]) => p === name)!;
    const original = before.get(name)!;
    if (to === undefined || to === from) {
      assert.equal(after, original, `${name} must be the same tensor, untouched`);
      continue;
    }
    assert.equal(after.dtype, to, name);
    // The bytes are the conversion of the source values (f64 sources were made from f32 values, so exact here).
    const values = floats(original.numel, name.length);
    const want = to === "bf16" ? f32ToBf16(values) : to === "f16" ? f32ToF16(values) : values;
    const got = await after.source.read();
    assert.ok(Buffer.from(got).equals(Buffer.from(want.buffer, want.byteOffset, want.byteLength)), `${name} bytes`);
  }
});

const BAD_POLICIES: [string, unknown, boolean, RegExp][] = [
  ["unknown category", { targets: { dendrites: "f16" } }, false, /unknown category "dendrites"/],
  ["unknown target", { targets: { weights: "f8" } }, false, /unknown target "f8" for weights/],
  ["unknown rule target", { rules: [{ match: "cortex", target: "int4" }] }, false, /rule 0 needs a string "match" and a known "target"/],
  ["unknown base", { base: "fp8" }, false, /unknown base "fp8"/],
  ["not JSON", "{ targets: weights = f16", true, /cannot read the precision policy/],
];

for (const [what, content, raw, message] of BAD_POLICIES) {
  test(`a policy file with ${what} is a one-line USAGE error naming the file`, async () => {
    const file = policyFile(content, raw);
    await assert.rejects(parsePrecision(file), (error: unknown) => {
      assert.ok(error instanceof CkptError);
      assert.equal(error.code, "USAGE");
      assert.equal(error.file, file);
      assert.match(error.message, message);
      assert.ok(error.message.startsWith(`${file}: `), error.message);
      assert.ok(!error.message.includes("\n"), "one line");
      return true;
    });
    const out = join(mkdtempSync(join(tmpdir(), "ckpt-policy-out-")), "out.thalia");
    const result = runCkpt(["convert", reference("brain_v2.thalia"), out, "--precision", file]);
    assert.equal(result.status, 2, result.stderr);
    assert.equal(result.stdout, "");
    const lines = result.stderr.split("\n").filter(Boolean);
    assert.equal(lines.length, 1, result.stderr);
    assert.ok(lines[0]!.startsWith(`ckpt: ${file}: `), lines[0]);
  });
}

test("ckpt convert --precision FILE.json on brain_v2.thalia: ints and bool untouched, keep rules honoured, bf16 written", () => {
  const file = policyFile({ name: "lean", base: "fp16", targets: { default: "bf16" }, rules: [{ match: "hippocampus_to_pfc", target: "keep" }] });
  const out = join(mkdtempSync(join(tmpdir(), "ckpt-policy-out-")), "out.safetensors");
  const convert = runCkpt(["convert", reference("brain_v2.thalia"), out, "--precision", file, "--json"]);
  assert.equal(convert.status, 0, convert.stderr);
  const report = JSON.parse(convert.stdout) as { precision: { path: string; from: string; to: string }[]; lossy: string[] };
  assert.ok(report.precision.length > 10, `${report.precision.length} changes`);
  assert.ok(report.precision.some((c) => c.to === "bf16"), "some default tensors became bf16");
  assert.ok(report.precision.some((c) => c.to === "f16"), "the base's f16 categories apply");
  assert.deepEqual(report.precision.filter((c) => c.from !== "f32"), [], "brain_v2 holds only f32 floats; nothing else may change");
  assert.deepEqual(report.precision.filter((c) => c.path.includes("hippocampus_to_pfc")), [], "keep rule");
  assert.ok(report.lossy.some((l) => l.startsWith("precision lean:")), report.lossy.join("\n"));

  // The written file holds exactly those dtypes; its ints and bools are as in the source.
  const manifest = runCkpt(["manifest", out, "--json"]);
  assert.equal(manifest.status, 0, manifest.stderr);
  const source = runCkpt(["manifest", reference("brain_v2.thalia"), "--json"]);
  const leaves = (text: string) => {
    const found = new Map<string, { dtype: string; sha256: string }>();
    const visit = (node: unknown, path: string) => {
      if (node && typeof node === "object" && !Array.isArray(node)) {
        const t = (node as Record<string, unknown>)["$tensor"] as { dtype: string; sha256: string } | undefined;
        if (t) return void found.set(path, t);
        for (const [k, v] of Object.entries(node)) visit(v, path ? `${path}.${k}` : k);
      } else if (Array.isArray(node)) node.forEach((v, i) => visit(v, `${path}.${i}`));
    };
    visit((JSON.parse(text) as { tree: unknown }).tree, "");
    return found;
  };
  const got = leaves(manifest.stdout);
  const was = leaves(source.stdout);
  const changed = new Map(report.precision.map((c) => [c.path, c.to]));
  let ints = 0;
  for (const [path, before] of was) {
    if (!path.startsWith("regions") && !path.startsWith("pathways")) continue;
    const after = got.get(path);
    assert.ok(after, `${path} missing`);
    assert.equal(after.dtype, changed.get(path) ?? before.dtype, path);
    if (!changed.has(path)) assert.equal(after.sha256, before.sha256, `${path} untouched`);
    if (!before.dtype.startsWith("f")) ints++;
  }
  assert.ok(ints > 10, `${ints} int/bool tensors checked`);
});
