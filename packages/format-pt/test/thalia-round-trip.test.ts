import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareManifestTrees, convert, readManifest } from "@ckpt/core";
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
