// Precision policies against the reference: converting brain_v2.thalia with the fp16 and
// mixed policies must give, tensor for tensor, the dtypes, shapes and hashes PyTorch's own
// rounding produced in brain_v2_fp16.thalia / brain_v2_mixed.thalia.zst (their .expect.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILTIN_POLICIES, convert, readManifest, type Node, type PrecisionPolicy, type PyMap } from "@ckpt/core";
import { expectation, reference, registry } from "./helpers.js";

interface Leaf { dtype: string; shape: string; sha256: string }

/** Every `$tensor` leaf of a manifest tree under `regions` and `pathways`, by dotted path. */
function tensorLeaves(tree: Node): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  const visit = (node: Node, path: string): void => {
    if (node instanceof Map) {
      const entry = node.get("$tensor");
      if (entry instanceof Map) {
        out.set(path, {
          dtype: String(entry.get("dtype")),
          shape: JSON.stringify((entry.get("shape") as bigint[]).map(String)),
          sha256: String(entry.get("sha256")),
        });
        return;
      }
      for (const [key, child] of node) visit(child, path ? `${path}.${String(key)}` : String(key));
    } else if (Array.isArray(node)) {
      node.forEach((child, i) => visit(child, `${path}.${i}`));
    }
  };
  const root = tree as PyMap;
  for (const key of ["regions", "pathways"]) visit(root.get(key) ?? null, key);
  return out;
}

const ITEM = new Map([["f64", 8], ["f32", 4], ["f16", 2], ["bf16", 2]]);
const numel = (shape: string) => (JSON.parse(shape) as string[]).reduce((n, d) => n * Number(d), 1);

const CASES: [keyof typeof BUILTIN_POLICIES, string][] = [
  ["fp16", "brain_v2_fp16.thalia"],
  ["mixed", "brain_v2_mixed.thalia.zst"],
];

for (const [policyName, fixture] of CASES) {
  const policy: PrecisionPolicy = BUILTIN_POLICIES[policyName];

  test(`converting brain_v2.thalia with precision ${policyName} gives ${fixture}'s tensors (dtype, shape, sha256)`, async () => {
    const source = tensorLeaves(expectation(reference("brain_v2.thalia")).get("tree")!);
    const want = tensorLeaves(expectation(reference(fixture)).get("tree")!);
    assert.ok(want.size > 50, `the expectation holds ${want.size} tensors`);
    assert.deepEqual([...source.keys()].sort(), [...want.keys()].sort(), "source and expectation name the same tensors");

    const out = join(mkdtempSync(join(tmpdir(), "ckpt-precision-")), `brain_v2_${policyName}.thalia`);
    const report = await convert(reference("brain_v2.thalia"), out, { registry: registry(), precision: policy });
    const got = tensorLeaves((await readManifest(out, { registry: registry() })).tree);

    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), "the same tensors");
    const wrong = [...want].filter(([path, leaf]) => JSON.stringify(got.get(path)) !== JSON.stringify(leaf));
    assert.deepEqual(wrong.map(([path, leaf]) => `${path}: want ${leaf.dtype} ${leaf.sha256.slice(0, 12)}, got ${got.get(path)?.dtype} ${got.get(path)?.sha256.slice(0, 12)}`), []);

    // The policy must really have narrowed something, and left some tensors alone.
    const changed = [...want].filter(([path, leaf]) => source.get(path)!.dtype !== leaf.dtype);
    assert.ok(changed.length > 5, `${changed.length} tensors change dtype`);
    assert.ok(changed.length < want.size, "not every tensor changes");

    // The report lists exactly those tensors, from → to, with their sizes, and the bytes saved.
    const expectedChanges = changed.map(([path, leaf]) => {
      const from = source.get(path)!.dtype;
      const n = numel(leaf.shape);
      return { path, from, to: leaf.dtype, bytesBefore: n * ITEM.get(from)!, bytesAfter: n * ITEM.get(leaf.dtype)! };
    });
    const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    assert.deepEqual([...report.precision].sort(byPath), expectedChanges.sort(byPath));
    const saved = expectedChanges.reduce((sum, c) => sum + c.bytesBefore - c.bytesAfter, 0);
    assert.ok(saved > 0);
    assert.ok(report.steps.includes(`precision ${policyName}`), report.steps.join(", "));
    // Narrowing is lossy, and lossy steps are always reported: count and bytes saved.
    const lossy = report.lossy.filter((line) => line.startsWith(`precision ${policyName}`));
    assert.equal(lossy.length, 1, report.lossy.join("\n"));
    assert.match(lossy[0]!, new RegExp(`\\b${expectedChanges.length} tensor\\(s\\) narrowed, ${saved} bytes saved`));
  });
}

test("the fp16 and mixed fixtures hold no f64 tensors, so f64 → f16 rounding is decided by half.test.ts, not here", () => {
  for (const name of ["brain_v2.thalia", "brain_v2_fp16.thalia", "brain_v2_mixed.thalia.zst"]) {
    const leaves = tensorLeaves(expectation(reference(name)).get("tree")!);
    assert.ok(leaves.size > 0);
    assert.deepEqual([...leaves.values()].filter((l) => l.dtype === "f64"), [], name);
  }
});

test("the fp32 policy leaves brain_v2.thalia's f32 tensors as they are (nothing reported as lossy)", async () => {
  const want = tensorLeaves(expectation(reference("brain_v2.thalia")).get("tree")!);
  const out = join(mkdtempSync(join(tmpdir(), "ckpt-precision-")), "brain_v2_fp32.thalia");
  const report = await convert(reference("brain_v2.thalia"), out, { registry: registry(), precision: BUILTIN_POLICIES.fp32 });
  const got = tensorLeaves((await readManifest(out, { registry: registry() })).tree);
  assert.deepEqual(Object.fromEntries(got), Object.fromEntries(want));
  assert.deepEqual(report.precision, []);
  assert.deepEqual(report.lossy.filter((l) => l.startsWith("precision")), []);
});
