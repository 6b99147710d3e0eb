import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BUILTIN_POLICIES, CkptError, Registry, Tensor, convert, dottedPath, mapTensors, pyMap, verifyConversion,
  type Checkpoint, type FormatPlugin, type Key, type Node, type PyMap,
} from "../src/index.js";
import { toyFormat } from "./helpers/toy-format.js";
import { sampleTree } from "./helpers/sample-tree.js";

const silent = { progress() {}, warn() {}, lossy() {} };

async function writeToy(path: string, root: PyMap): Promise<void> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of toyFormat.encode({ root }, { name: path, options: {}, reporter: silent })) chunks.push(chunk);
  writeFileSync(path, Buffer.concat(chunks));
}

/** A toy writer that damages what it writes with `damage` (a bug the verification must catch). */
function faultyFormat(id: string, damage: (root: PyMap) => PyMap): FormatPlugin {
  return {
    ...toyFormat,
    id,
    extensions: [`.${id}`],
    encode: (checkpoint: Checkpoint, output) => toyFormat.encode({ root: damage(checkpoint.root) }, output),
  };
}

/** Adds 1 to the first element of the i64 tensor `regions.cortex.steps` (not a float: no policy covers it). */
const bumpSteps = (root: PyMap) => mapTensors(root, (tensor, path) => {
  if (dottedPath(path) !== "regions.cortex.steps") return tensor;
  return Tensor.fromBytes("i64", [], new Uint8Array(new BigInt64Array([6n]).buffer));
}) as PyMap;

function setup(): { dir: string; src: string } {
  const dir = mkdtempSync(join(tmpdir(), "ckpt-verify-"));
  return { dir, src: join(dir, "a.toy") };
}

test("--verify passes an honest lossless conversion as exact", async () => {
  const { dir, src } = setup();
  await writeToy(src, sampleTree());
  const report = await convert(src, join(dir, "b.toy"), { registry: new Registry().use(toyFormat), verify: true });
  assert.equal(report.verification?.ok, true);
  assert.equal(report.verification?.exact, true);
  assert.equal(report.verification?.tensors, 4);
  assert.deepEqual(report.verification?.failures, []);
  assert.equal(report.steps.at(-1), "verify");
});

test("--verify catches a writer that changes a value the policy did not cover, and leaves no destination", async () => {
  for (const precision of [undefined, BUILTIN_POLICIES.fp16]) {
    const { dir, src } = setup();
    await writeToy(src, sampleTree());
    const registry = new Registry().use(toyFormat).use(faultyFormat("bump", bumpSteps));
    const dst = join(dir, "out.bump");
    await assert.rejects(convert(src, dst, { registry, verify: true, ...(precision && { precision }) }), (error: CkptError) => {
      assert.ok(error instanceof CkptError);
      assert.equal(error.code, "INVALID");
      assert.equal(error.file, dst);
      assert.match(error.message, /out\.bump: verification failed, nothing was written: regions\.cortex\.steps: 1 of 1 values differ .*did not change this tensor/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
    assert.deepEqual(readdirSync(dir), ["a.toy"], "neither the destination nor a temp file");
    // The same faulty writer without --verify writes its damage silently: the check is what catches it.
    await convert(src, dst, { registry, ...(precision && { precision }) });
    assert.deepEqual(readdirSync(dir).sort(), ["a.toy", "out.bump"]);
  }
});

test("--verify catches a dropped scalar, an added key, a kind change and a narrowed tensor written wrong", async () => {
  const cases: [string, (root: PyMap) => PyMap, RegExp][] = [
    ["drop", (root) => { const out = new Map(root); out.delete("tuple"); return out; }, /tuple: missing from the written file \(tuple of 5\)/],
    ["add", (root) => new Map([...root, ["extra", 1n]]), /extra: in the written file but not in the source/],
    ["kind", (root) => { const out = new Map(root); const s = new Map(out.get("scalars") as Map<Key, Node>); s.set("int_one", 1.0); out.set("scalars", s); return out; }, /scalars\.int_one: written as float, the source has int/],
    ["wrongcast", (root) => mapTensors(root, (t, path) => (dottedPath(path) === "regions.cortex.weights" ? Tensor.fromBytes("f16", [...t.shape], new Uint8Array(t.byteLength)) : t)) as PyMap,
      /regions\.cortex\.weights: 4 of 6 values differ \(max abs error 7\) from the precision policy's f32→f16 output/],
  ];
  for (const [id, damage, message] of cases) {
    const { dir, src } = setup();
    await writeToy(src, sampleTree());
    const registry = new Registry().use(toyFormat).use(faultyFormat(id, damage));
    const precision = id === "wrongcast" ? { precision: BUILTIN_POLICIES.fp16 } : {};
    await assert.rejects(convert(src, join(dir, `out.${id}`), { registry, verify: true, ...precision }), (error: CkptError) => {
      assert.equal(error.code, "INVALID", id);
      assert.match(error.message, message);
      return true;
    });
    assert.deepEqual(readdirSync(dir), ["a.toy"], id);
  }
});

test("a precision conversion verifies with per-tensor errors against the source", async () => {
  const { dir, src } = setup();
  const w = new Float32Array([0.1, 0.2, 1, 2, 1 / 3, 1000.1]);
  await writeToy(src, pyMap({ regions: pyMap({ r: pyMap({ synaptic_weights: Tensor.fromBytes("f32", [2, 3], new Uint8Array(w.buffer)), n: 3n }) }) }));
  const report = await convert(src, join(dir, "b.toy"), { registry: new Registry().use(toyFormat), precision: BUILTIN_POLICIES.fp16, verify: true });
  const v = report.verification!;
  assert.equal(v.ok, true);
  assert.equal(v.exact, false);
  assert.equal(v.changed.length, 1);
  const [change] = v.changed;
  assert.deepEqual([change!.path, change!.from, change!.to, change!.differing, change!.values], ["regions.r.synaptic_weights", "f32", "f16", 4, 6]);
  assert.ok(change!.maxAbsError > 0 && change!.maxAbsError <= 0.25, String(change!.maxAbsError)); // f16 steps by 0.5 near 1000: 1000.1 → 1000
  assert.ok(change!.maxRelError > 0 && change!.maxRelError <= 2 ** -11, String(change!.maxRelError));
});

test("verifyConversion on trees: the source's own tree verifies exact; a missing changed tensor fails", async () => {
  const exact = await verifyConversion(sampleTree(), sampleTree());
  assert.deepEqual([exact.ok, exact.exact, exact.failures], [true, true, []]);
  const written = sampleTree();
  written.delete("regions");
  const broken = await verifyConversion(sampleTree(), written, [{ path: "regions.cortex.weights", from: "f32", to: "f16", bytesBefore: 24, bytesAfter: 12 }]);
  assert.equal(broken.ok, false);
  assert.deepEqual(broken.failures, ["regions: missing from the written file (map of 1)"]);
});
