import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CkptError, Tensor, convert, describe, manifestTree, pyMap, readManifest, dumpPythonJson, type Node } from "@ckpt/core";
import { migrateV1ToV2 } from "../src/index.js";
import { V1_FIXTURES, at, leaves, reference, registry } from "./helpers.js";

const out = mkdtempSync(join(tmpdir(), "ckpt-migrate-"));

/** Where a v1 leaf must be after 1→2, per the README's table (written independently of the code). */
function expectedPath(path: readonly string[]): string[] {
  const [top, ...rest] = path;
  if (top === "regions" && rest.length >= 2) {
    const [region, key, ...below] = rest as [string, string, ...string[]];
    const inRegion = (...p: string[]) => ["regions", region, ...p];
    if (key === "weights") return inRegion("synaptic_weights", ...below);
    if (key === "region_state") return inRegion("neuron_state", ...below);
    if (key === "config" && (below[0] === "n_input" || below[0] === "n_output")) return inRegion(below[0]);
    if (key === "config" || key === "neuromodulator_state") return inRegion("legacy", key, ...below);
    return [...path];
  }
  if (top === "theta") return ["oscillators", "theta", ...rest];
  if (top === "scheduler") return rest[0] === "current_time" ? ["current_time"] : ["legacy", "scheduler", ...rest];
  if (top === "trial_state") return ["legacy", "trial_state", ...rest];
  if (top === "metadata" && rest[0] === "checkpoint_format_version") return ["metadata", "migrated_from_format_version"];
  return [...path];
}

const targets: Record<string, string> = {
  "brain_v1.thalia": "from-thalia.pt",
  "brain_v1.torch113.pt": "from-torch113.thalia",
  "brain_v1.torch26.pt": "from-torch26.safetensors",
};

for (const name of V1_FIXTURES) {
  test(`acceptance: ${name} → schema 2 (${targets[name]}) keeps every v1 leaf at its mapped path`, async () => {
    const src = reference(name);
    const dst = join(out, targets[name]!);
    const report = await convert(src, dst, { registry: registry(), toSchema: "2" });
    assert.ok(report.steps.includes("migrate thalia-brain 1→2"), report.steps.join(", "));

    const info = await describe(dst, { registry: registry() });
    assert.deepEqual([info.schemaFamily, info.schemaVersion], ["thalia-brain", "2"]);

    const before = (await readManifest(src, { registry: registry() })).tree;
    const after = (await readManifest(dst, { registry: registry() })).tree;
    const v1Leaves = leaves(before);
    assert.ok(v1Leaves.filter((l) => l.value.startsWith("tensor")).length >= 35);
    const afterByPath = new Map(leaves(after).map((l) => [l.path.join("\u0000"), l.value]));
    for (const leaf of v1Leaves) {
      const target = expectedPath(leaf.path);
      assert.equal(afterByPath.get(target.join("\u0000")), leaf.value, `${leaf.path.join(".")} → ${target.join(".")}`);
    }
    // As a multiset too: every v1 value occurs at least as often in v2.
    const count = (values: string[]) => values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<string, number>());
    const v2Counts = count([...afterByPath.values()]);
    for (const [value, n] of count(v1Leaves.map((l) => l.value))) assert.ok((v2Counts.get(value) ?? 0) >= n, value);

    const metadata = at(after, ["metadata"]) as Map<string, Node>;
    assert.equal(dumpPythonJson(metadata.get("migrations")!), '[{"from": "1", "to": "2"}]');
    assert.equal(metadata.get("checkpoint_format_version"), "2.0");

    // The documented defaults, derived from the v1 data where the table says so.
    for (const region of (at(before, ["regions"]) as Map<string, Node>).keys()) {
      const v2 = (key: string) => at(after, ["regions", region, key]);
      assert.equal(v2("n_neurons"), at(before, ["regions", region, "config", "n_output"]));
      assert.equal(v2("dt_ms"), 1.0);
      assert.equal(v2("default_learning_rule"), "stdp");
      assert.equal(v2("plasticity_enabled"), true);
      assert.equal(v2("device"), "cpu");
      assert.deepEqual(v2("input_sources"), []);
      assert.equal(typeof v2("type"), "string");
      for (const gone of ["weights", "region_state", "config", "neuromodulator_state"]) assert.equal(v2(gone), undefined, `${region}.${gone}`);
    }
    assert.equal(at(after, ["neuromodulators", "vta", "global_dopamine"]), 0.1);
    for (const key of ["global_config", "current_time", "topology", "pathways", "oscillators", "config", "growth_history"]) {
      assert.notEqual(at(after, [key]), undefined, key);
    }
    for (const gone of ["theta", "scheduler", "trial_state"]) assert.equal(at(after, [gone]), undefined, gone);
  });
}

test("the step is pure: the input tree is not changed", async () => {
  const weight = Tensor.fromBytes("f32", [1], new Uint8Array([0, 0, 128, 63]));
  const input = pyMap({
    metadata: pyMap({ checkpoint_format_version: "1.0" }),
    regions: pyMap({ cortex: pyMap({ weights: pyMap({ ff: weight }), region_state: pyMap({ v: 0.5 }), config: pyMap({ n_input: 3n, n_output: 2n, tau: 20.0 }), neuromodulator_state: pyMap({ dopamine: 0.3 }) }) }),
    theta: pyMap({ phase: 0.5 }),
    scheduler: pyMap({ current_time: 10.0, events_processed: 4n }),
    trial_state: pyMap({ phase: "ENCODE" }),
  });
  const snapshot = dumpPythonJson(await manifestTree(input));
  const result = migrateV1ToV2(input);
  assert.equal(dumpPythonJson(await manifestTree(input)), snapshot);
  assert.equal(at(result, ["regions", "cortex", "synaptic_weights", "ff"]), weight, "tensors are moved, not copied or read");
  assert.equal(at(result, ["regions", "cortex", "legacy", "config", "tau"]), 20.0);
  assert.equal(at(result, ["regions", "cortex", "n_neurons"]), 2n);
  assert.equal(at(result, ["legacy", "scheduler", "events_processed"]), 4n);
  assert.equal(at(result, ["current_time"]), 10.0);
  assert.equal(at(result, ["neuromodulators", "vta", "global_dopamine"]), 0.3);
  assert.equal(at(result, ["regions", "cortex", "type"]), "LayeredCortex");
});

test("a v1 key whose v2 home is taken goes under legacy instead of being overwritten", () => {
  const input = pyMap({
    regions: pyMap({ cortex: pyMap({ weights: pyMap({ old: 1.0 }), synaptic_weights: pyMap({ new: 2.0 }) }) }),
    theta: pyMap({ phase: 0.1 }),
    oscillators: pyMap({ theta: pyMap({ phase: 0.2 }) }),
  });
  const result = migrateV1ToV2(input);
  assert.equal(at(result, ["regions", "cortex", "synaptic_weights", "new"]), 2.0);
  assert.equal(at(result, ["regions", "cortex", "legacy", "weights", "old"]), 1.0);
  assert.equal(at(result, ["oscillators", "theta", "phase"]), 0.2);
  assert.equal(at(result, ["legacy", "theta", "phase"]), 0.1);
});

test("migrating a v2 file to 2 is a no-op", async () => {
  const src = reference("brain_v2.torch26.ckpt");
  const dst = join(out, "v2-noop.pt");
  const report = await convert(src, dst, { registry: registry(), toSchema: "2" });
  assert.ok(!report.steps.some((s) => s.startsWith("migrate")), report.steps.join(", "));
  const before = await readManifest(src, { registry: registry() });
  const after = await readManifest(dst, { registry: registry() });
  assert.equal(dumpPythonJson(after.tree), dumpPythonJson(before.tree));
});

test("migrating to 3 fails with the core's no-path error and writes nothing", async () => {
  const dst = join(out, "v3.pt");
  await assert.rejects(convert(reference("brain_v2.thalia"), dst, { registry: registry(), toSchema: "3" }), (error: unknown) => {
    assert.ok(error instanceof CkptError);
    assert.equal(error.code, "MIGRATION");
    assert.match(error.message, /no migration path for thalia-brain from version 2 to 3 \(known steps: 1→2\)/);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
  await assert.rejects(readManifest(dst, { registry: registry() }), /no such file/);
});

test("a tree nobody recognises cannot be migrated (MIGRATION, naming the file)", async () => {
  const src = reference("edge_cases.torch26.pt");
  await assert.rejects(convert(src, join(out, "edge.pt"), { registry: registry(), toSchema: "2" }), (error: unknown) => {
    assert.ok(error instanceof CkptError);
    assert.equal(error.code, "MIGRATION");
    assert.match(error.message, /cannot tell the schema/);
    assert.equal(error.file, src);
    return true;
  });
});
