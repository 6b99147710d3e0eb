import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compareManifestTrees, convert, describe, readManifest, type PyMap } from "@ckpt/core";
import { FIXTURES, encodeToBuffer, expectation, headerOf, reference, registry, tempDir, withDecoded } from "./helpers.js";

const files = readdirSync(join(FIXTURES, "reference")).filter((f) => f.endsWith(".safetensors"));

test("the reference safetensors fixtures are all here", () => {
  assert.deepEqual(files.sort(), ["brain_v2_flat.safetensors", "edge_cases.safetensors"]);
});

for (const name of files) {
  test(`manifest of ${name} equals its .expect.json tree`, async () => {
    const path = reference(name);
    const manifest = await readManifest(path, { registry: registry() });
    assert.equal(manifest.format, "safetensors");
    assert.equal(manifest.codec, null);
    assert.deepEqual(compareManifestTrees(manifest.tree, expectation(path).get("tree")!), []);
  });

  test(`ckpt info of ${name} shows the header facts and its __metadata__`, async () => {
    const path = reference(name);
    const info = await describe(path, { registry: registry() });
    const want = expectation(path).get("metadata") as PyMap | undefined;
    assert.equal(info.format, "safetensors");
    assert.equal(info.container.ckpt_tree, false);
    assert.equal(info.container.header_bytes, BigInt(headerOf(readFileSync(path)).n));
    assert.equal(info.tensorCount, (expectation(path).get("tree") as PyMap).size);
    const shown = Object.entries(info.container).filter(([key]) => key.startsWith("metadata.")).map(([key, value]) => [key.slice("metadata.".length), value]);
    assert.deepEqual(shown.sort(), [...(want ?? [])].sort());
  });
}

test("re-encoding edge_cases.safetensors reproduces it byte for byte (plugin and convert)", async () => {
  const path = reference("edge_cases.safetensors");
  const original = readFileSync(path);
  const encoded = await withDecoded(path, (checkpoint) => encodeToBuffer(checkpoint));
  assert.ok(encoded.equals(original), "plugin encode differs");
  const out = join(tempDir(), "copy.safetensors");
  await convert(path, out, { registry: registry() });
  assert.ok(readFileSync(out).equals(original), "convert output differs");
});

test("re-encoding brain_v2_flat.safetensors gives an equal header (metadata key order aside) and the same data", async () => {
  const path = reference("brain_v2_flat.safetensors");
  const original = readFileSync(path);
  const out = join(tempDir(), "copy.safetensors");
  await convert(path, out, { registry: registry() });
  const written = readFileSync(out);
  const a = headerOf(original);
  const b = headerOf(written);
  const metaA = a.json.get("__metadata__") as PyMap;
  const metaB = b.json.get("__metadata__") as PyMap;
  assert.deepEqual([...metaB].sort(), [...metaA].sort());
  assert.equal(metaB.has("ckpt.tree"), false, "a flat file stays flat");
  const tensors = (json: PyMap) => [...json].filter(([key]) => key !== "__metadata__");
  assert.deepEqual(tensors(b.json), tensors(a.json), "tensor entries (and their order) differ");
  assert.equal(b.n, a.n);
  assert.ok(written.subarray(8 + b.n).equals(original.subarray(8 + a.n)), "data buffers differ");
});

test("a flat file's __metadata__ is not part of the tree, but re-encoding keeps it", async () => {
  await withDecoded(reference("brain_v2_flat.safetensors"), async (checkpoint) => {
    assert.equal(checkpoint.root.has("metadata"), false);
    assert.equal(checkpoint.info?.["metadata.format"], "pt");
    const again = headerOf(await encodeToBuffer({ root: checkpoint.root }));
    assert.equal((again.json.get("__metadata__") as PyMap).get("training_steps"), "5000");
  });
});
