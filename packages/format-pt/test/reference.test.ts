import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { compareManifestTrees, readManifest } from "@ckpt/core";
import { FIXTURES, expectation, reference, registry } from "./helpers.js";

const files = readdirSync(join(FIXTURES, "reference")).filter((f) => /\.(pt|ckpt)$/.test(f));

test("the reference torch fixtures are all here", () => {
  assert.equal(files.length, 6, files.join(", "));
});

for (const name of files) {
  test(`manifest of ${name} equals its .expect.json (the full tree, int vs float exact)`, async () => {
    const path = reference(name);
    const manifest = await readManifest(path, { registry: registry() });
    assert.equal(manifest.format, "pt");
    assert.equal(manifest.codec, null);
    assert.deepEqual(compareManifestTrees(manifest.tree, expectation(path).get("tree")!), []);
  });
}
