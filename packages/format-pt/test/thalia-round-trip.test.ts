import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareManifestTrees, convert, readManifest, withCheckpoint, type Tensor } from "@ckpt/core";
import { reference, registry } from "./helpers.js";

for (const name of ["brain_v2.torch113.ckpt", "brain_v2.torch26.ckpt", "brain_v1.torch113.pt", "edge_cases.torch26.pt"]) {
  test(`${name} → .thalia.zst → .pt is lossless by manifest`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "ckpt-pt-thalia-"));
    const packed = join(dir, "out.thalia.zst");
    const back = join(dir, "back.pt");
    await convert(reference(name), packed, { registry: registry() });
    await convert(packed, back, { registry: registry() });
    const before = await readManifest(reference(name), { registry: registry() });
    for (const step of [packed, back]) {
      const after = await readManifest(step, { registry: registry() });
      assert.deepEqual(compareManifestTrees(before.tree, after.tree), [], step);
    }
  });
}

test("a Parameter stays a Parameter through .thalia (its flags travel as _attrs), with nothing to warn about", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ckpt-pt-thalia-"));
  const packed = join(dir, "out.thalia.zst");
  const back = join(dir, "back.pt");
  const there = await convert(reference("edge_cases.torch26.pt"), packed, { registry: registry() });
  const home = await convert(packed, back, { registry: registry() });
  assert.deepEqual([...there.warnings, ...home.warnings], []);
  const attrsOf = (path: string) => withCheckpoint(path, { registry: registry() }, async ({ checkpoint }) => (checkpoint.root.get("param") as Tensor).attrs);
  const original = await attrsOf(reference("edge_cases.torch26.pt"));
  assert.equal(original["parameter"], true, "the fixture holds a Parameter named param");
  assert.deepEqual(await attrsOf(packed), original);
  assert.deepEqual(await attrsOf(back), original);
});
