import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, openSync, readFileSync, readSync, closeSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCkpt } from "./run-cli.js";
import { reference } from "./fixtures.js";

const THALIA = reference("brain_v2.thalia");
const TORCH = reference("brain_v2.torch26.ckpt");

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Difference { kind: string; path: string; a?: unknown; b?: unknown; values?: { differing: number; bitsDiffering: number | null; maxAbsError: number; maxRelError: number } | null }
interface DiffJson { identical: boolean; tensorsCompared: number; differences: Difference[] }

const expectTree = (file: string) => (JSON.parse(readFileSync(`${file}.expect.json`, "utf8")) as { tree: { [key: string]: Json } }).tree;

/** The metadata JSON of a Thalia container, read straight from its header (thalia-binary.md: u64 offset at 20, length at 28). */
function thaliaMetadata(file: string): { [key: string]: Json } {
  const fd = openSync(file, "r");
  try {
    const header = Buffer.alloc(256);
    readSync(fd, header, 0, 256, 0);
    const offset = Number(header.readBigUInt64LE(20));
    const length = Number(header.readBigUInt64LE(28));
    const body = Buffer.alloc(length);
    readSync(fd, body, 0, length, offset);
    return JSON.parse(body.toString("utf8")) as { [key: string]: Json };
  } finally {
    closeSync(fd);
  }
}

/**
 * What reading a reference-written .thalia gives (model.md §2), built from the fixture's
 * own data: `regions`/`pathways` from its expect manifest, the metadata from the file's
 * header, and the reference reader's state keys moved from metadata to the root.
 */
function thaliaAsRead(file: string): { [key: string]: Json } {
  const tree = expectTree(file);
  const metadata = { ...thaliaMetadata(file) };
  const moved = Array.isArray(metadata.state_keys) ? (metadata.state_keys as string[]) : ["config", "theta", "scheduler", "trial_state"];
  const root: { [key: string]: Json } = { regions: tree.regions!, pathways: tree.pathways! };
  for (const key of moved) {
    if (key in metadata) {
      root[key] = metadata[key]!;
      delete metadata[key];
    }
  }
  delete metadata.state_keys;
  return { metadata, ...root };
}

const isTensor = (x: Json): x is { $tensor: { dtype: string; shape: number[]; sha256: string } } =>
  typeof x === "object" && x !== null && !Array.isArray(x) && "$tensor" in x;
const kindOf = (x: Json) => (x === null ? "none" : isTensor(x) ? "tensor" : Array.isArray(x) ? "list" : typeof x === "object" ? "map" : typeof x);

/** A small walk of two manifest trees: the set of "kind path" differences `ckpt diff` should report. */
function manifestDifferences(a: Json, b: Json, path: string[] = [], out = new Set<string>()): Set<string> {
  const here = path.join(".");
  if (kindOf(a) !== kindOf(b)) out.add(`kind ${here}`);
  else if (isTensor(a) && isTensor(b)) {
    if (a.$tensor.dtype !== b.$tensor.dtype) out.add(`dtype ${here}`);
    if (JSON.stringify(a.$tensor.shape) !== JSON.stringify(b.$tensor.shape)) out.add(`shape ${here}`);
    else if (a.$tensor.dtype === b.$tensor.dtype && a.$tensor.sha256 !== b.$tensor.sha256) out.add(`tensor-values ${here}`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= b.length) out.add(`only-in-a ${[...path, i].join(".")}`);
      else if (i >= a.length) out.add(`only-in-b ${[...path, i].join(".")}`);
      else manifestDifferences(a[i]!, b[i]!, [...path, String(i)], out);
    }
  } else if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const x = a as { [key: string]: Json };
    const y = b as { [key: string]: Json };
    for (const key of Object.keys(x)) if (!(key in y)) out.add(`only-in-a ${[...path, key].join(".")}`);
    for (const key of Object.keys(y)) if (!(key in x)) out.add(`only-in-b ${[...path, key].join(".")}`);
    for (const key of Object.keys(x)) if (key in y) manifestDifferences(x[key]!, y[key]!, [...path, key], out);
  } else if (a !== b) out.add(`value ${here}`);
  return out;
}

function diffJson(a: string, b: string): { status: number; result: DiffJson } {
  const run = runCkpt(["--json", "diff", a, b]);
  assert.equal(run.stderr, "");
  return { status: run.status, result: JSON.parse(run.stdout) as DiffJson };
}

test("ckpt diff of the reference .thalia and the torch 2.6 .ckpt reports their real differences and nothing else", () => {
  const expected = manifestDifferences(thaliaAsRead(THALIA), expectTree(TORCH));
  const { status, result } = diffJson(THALIA, TORCH);
  assert.equal(status, 1);
  assert.equal(result.identical, false);
  const reported = new Set(result.differences.map((d) => `${d.kind} ${d.path}`));
  assert.equal(reported.size, result.differences.length, "no difference reported twice");
  assert.deepEqual([...reported].sort(), [...expected].sort());
  // What those differences are, as the fixtures say: the reference writer's metadata and
  // state keys, and the sparse-stored weights whose dense read-back is not bit-identical.
  assert.ok(expected.has("only-in-a metadata.timestamp") && expected.has("only-in-b oscillators") && expected.has("only-in-a theta"));
  const metadata = thaliaMetadata(THALIA);
  const torchMetadata = expectTree(TORCH).metadata as { [key: string]: Json };
  for (const d of result.differences) {
    if (d.kind === "value" && d.path.startsWith("metadata.")) {
      const key = d.path.slice("metadata.".length);
      assert.deepEqual([d.a, d.b], [`'${String(metadata[key])}'`, `'${String(torchMetadata[key])}'`], d.path);
    }
    if (d.kind === "tensor-values") {
      assert.match(d.path, /\.synaptic_weights\./);
      assert.ok(d.values && (d.values.bitsDiffering ?? 0) > 0, d.path);
    }
  }
  assert.ok(result.differences.some((d) => d.kind === "tensor-values"));
});

test("ckpt diff of a file with itself, and across formats and codecs of the same content, reports nothing and exits 0", () => {
  for (const [a, b] of [[THALIA, THALIA], [TORCH, TORCH]] as const) {
    const { status, result } = diffJson(a, b);
    assert.equal(status, 0);
    assert.deepEqual(result.differences, []);
    assert.equal(result.identical, true);
    assert.equal(result.tensorsCompared, 74);
  }
  const dir = mkdtempSync(join(tmpdir(), "ckpt-diff-"));
  const copy = join(dir, "brain.safetensors.zst");
  assert.equal(runCkpt(["convert", TORCH, copy]).status, 0);
  const { status, result } = diffJson(TORCH, copy);
  assert.deepEqual([status, result.differences], [0, []]);
  const text = runCkpt(["diff", TORCH, copy]);
  assert.equal(text.status, 0);
  assert.match(text.stdout, /identical \(74 tensors compared\)/);
});

test("ckpt diff text output lists each difference; f16 against f32 of the same tree is reported per tensor with its error", () => {
  const dir = mkdtempSync(join(tmpdir(), "ckpt-diff-"));
  const half = join(dir, "half.safetensors");
  assert.equal(runCkpt(["convert", TORCH, half, "--precision", "fp16"]).status, 0);
  const { status, result } = diffJson(TORCH, half);
  assert.equal(status, 1);
  assert.ok(result.differences.length > 0);
  for (const d of result.differences) {
    assert.equal(d.kind, "dtype", d.path);
    assert.deepEqual([d.a, d.b], ["f32", "f16"]);
    assert.ok(d.values && d.values.maxRelError < 2 ** -9, `${d.path}: ${d.values?.maxRelError}`);
  }
  const text = runCkpt(["diff", TORCH, half]);
  assert.equal(text.status, 1);
  assert.match(text.stdout, /~ regions\.cortex\.synaptic_weights\.thalamus: dtype f32 → f16, values (equal|differ in \d+ of 7680: max abs err)/);
  assert.match(text.stdout, new RegExp(`${result.differences.length} difference\\(s\\), 74 tensors compared`));
});

test("convert --precision fp16 --verify of brain_v2.thalia passes: errors for the narrowed tensors, exact for the rest", () => {
  const dir = mkdtempSync(join(tmpdir(), "ckpt-verify-"));
  const out = join(dir, "half.thalia");
  const run = runCkpt(["--json", "convert", THALIA, out, "--precision", "fp16", "--verify"]);
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout) as {
    precision: { path: string; from: string; to: string }[];
    verification: { ok: boolean; exact: boolean; tensors: number; failures: string[]; changed: { path: string; from: string; to: string; maxAbsError: number; maxRelError: number; differing: number }[] };
  };
  const v = report.verification;
  assert.deepEqual([v.ok, v.exact, v.tensors, v.failures], [true, false, 74, []]);
  assert.deepEqual(v.changed.map((c) => [c.path, c.from, c.to]), report.precision.map((c) => [c.path, c.from, c.to]));
  assert.ok(v.changed.length > 0);
  for (const c of v.changed) {
    assert.equal(c.to, "f16");
    assert.ok(c.maxAbsError > 0 && c.differing > 0, `${c.path} narrowed without error?`);
    assert.ok(c.maxRelError < 2 ** -9, `${c.path}: ${c.maxRelError}`);
  }
  // Read independently after the rename: diff finds exactly the narrowed tensors, with the same errors.
  const { result } = diffJson(THALIA, out);
  assert.deepEqual(result.differences.map((d) => `${d.kind} ${d.path}`).sort(), v.changed.map((c) => `dtype ${c.path}`).sort());
  for (const d of result.differences) {
    const c = v.changed.find((x) => x.path === d.path)!;
    assert.deepEqual([d.values?.maxAbsError, d.values?.maxRelError, d.values?.differing], [c.maxAbsError, c.maxRelError, c.differing]);
  }
  const text = runCkpt(["convert", THALIA, join(dir, "again.thalia"), "--precision", "fp16", "--verify"]);
  assert.equal(text.status, 0);
  assert.match(text.stdout, /verified: exact except \d+ precision-changed tensor\(s\) \(74 tensors read back\)/);
  assert.match(text.stdout, /regions\.cortex\.synaptic_weights\.thalamus f32 → f16: max abs err [\d.e-]+, max rel err [\d.e-]+/);
});

test("convert --verify of a lossless conversion prints verified: exact; a failing read-back leaves no destination", () => {
  const dir = mkdtempSync(join(tmpdir(), "ckpt-verify-"));
  const run = runCkpt(["convert", TORCH, join(dir, "b.thalia.zst"), "--verify"]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /steps: .* → verify\n/);
  assert.match(run.stdout, /verified: exact \(74 tensors read back\)/);
  assert.ok(existsSync(join(dir, "b.thalia.zst")));
  // --verify does not change what is written.
  const plain = join(dir, "plain.thalia.zst");
  assert.equal(runCkpt(["convert", TORCH, plain]).status, 0);
  const { status } = diffJson(join(dir, "b.thalia.zst"), plain);
  assert.equal(status, 0);
  assert.deepEqual(readdirSync(dir).sort(), ["b.thalia.zst", "plain.thalia.zst"]);
});
