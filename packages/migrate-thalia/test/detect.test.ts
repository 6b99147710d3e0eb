import { test } from "node:test";
import assert from "node:assert/strict";
import { detectSchema, describe, openCheckpoint, TempScope, silentReporter, pyMap, Tensor, type PyMap } from "@ckpt/core";
import thaliaBrain, { detectThaliaVersion } from "../src/index.js";
import { V1_FIXTURES, V2_FIXTURES, reference, registry } from "./helpers.js";

async function rootOf(name: string): Promise<PyMap> {
  const scope = new TempScope();
  try {
    const opened = await openCheckpoint(reference(name), { registry: registry(), scope, reporter: silentReporter, formatOptions: {} });
    return opened.checkpoint.root;
  } finally {
    await scope.close();
  }
}

for (const name of V1_FIXTURES) {
  test(`${name} is thalia-brain v1`, async () => {
    assert.deepEqual(detectSchema([thaliaBrain], await rootOf(name)), { family: "thalia-brain", version: "1" });
  });
}

for (const name of V2_FIXTURES) {
  test(`${name} is thalia-brain v2`, async () => {
    assert.deepEqual(detectSchema([thaliaBrain], await rootOf(name)), { family: "thalia-brain", version: "2" });
  });
}

for (const name of ["edge_cases.torch26.pt", "edge_cases.torch113.pt", "edge_cases.safetensors"]) {
  test(`${name} is not a Thalia brain`, async () => {
    assert.equal(detectThaliaVersion(await rootOf(name)), null);
  });
}

test("ckpt info's data (core describe) carries the detected schema", async () => {
  const v1 = await describe(reference("brain_v1.torch26.pt"), { registry: registry() });
  assert.equal(v1.schemaFamily, "thalia-brain");
  assert.equal(v1.schemaVersion, "1");
  const none = await describe(reference("brain_v2.thalia"), { registry: registry(false) });
  assert.equal(none.schemaVersion, null);
  assert.equal(none.schemaFamily, null);
});

const tensor = () => Tensor.fromBytes("f32", [1], new Uint8Array(4));

test("structure decides, not the metadata's version claim", () => {
  const v2Claiming1 = pyMap({
    metadata: pyMap({ checkpoint_format_version: "1.0" }),
    regions: pyMap({ cortex: pyMap({ type: "LayeredCortex", n_neurons: 4n, synaptic_weights: pyMap({ thalamus: tensor() }), neuron_state: pyMap({}) }) }),
    oscillators: pyMap({}),
  });
  assert.equal(detectThaliaVersion(v2Claiming1), "2");
  const v1Claiming2 = pyMap({
    metadata: pyMap({ checkpoint_format_version: "2.0" }),
    regions: pyMap({ cortex: pyMap({ weights: pyMap({ ff: tensor() }), region_state: pyMap({}), config: pyMap({ n_input: 1n, n_output: 1n }) }) }),
    theta: pyMap({ phase: 0.5 }),
  });
  assert.equal(detectThaliaVersion(v1Claiming2), "1");
});

test("the version claim only breaks a tie; no regions or no evidence is null", () => {
  const bare = (claim: string | undefined) => pyMap({
    ...(claim !== undefined && { metadata: pyMap({ checkpoint_format_version: claim }) }),
    regions: pyMap({ cortex: pyMap({ learning_state: pyMap({}) }) }),
  });
  assert.equal(detectThaliaVersion(bare("1.0")), "1");
  assert.equal(detectThaliaVersion(bare("2.0")), "2");
  assert.equal(detectThaliaVersion(bare("0.1.0")), null);
  assert.equal(detectThaliaVersion(bare(undefined)), null);
  assert.equal(detectThaliaVersion(pyMap({ weights: tensor(), metadata: pyMap({ checkpoint_format_version: "1.0" }) })), null);
  assert.equal(detectThaliaVersion(pyMap({ regions: pyMap({ cortex: tensor() }) })), null);
  assert.equal(detectThaliaVersion(pyMap({ regions: pyMap({}) })), null);
});
