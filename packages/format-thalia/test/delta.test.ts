import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareManifestTrees, readManifest, type CkptError, type PyMap } from "@ckpt/core";
import { reference, registry } from "./helpers.js";

test("an empty v2 delta reads as its base (found by SHA-256 among its siblings)", async () => {
  const delta = await readManifest(reference("stage1.delta.thalia"), { registry: registry() });
  const base = await readManifest(reference("brain_v2.thalia"), { registry: registry() });
  for (const key of ["regions", "pathways"]) {
    assert.deepEqual(compareManifestTrees((delta.tree as PyMap).get(key)!, (base.tree as PyMap).get(key)!), []);
  }
});

test("a delta whose base is not beside it says so, and -o base=PATH fixes it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ckpt-delta-"));
  const lonely = join(dir, "stage1_v1.delta.thalia");
  copyFileSync(reference("stage1_v1.delta.thalia"), lonely);
  await assert.rejects(readManifest(lonely, { registry: registry() }), (error: CkptError) => {
    assert.equal(error.code, "NOT_FOUND");
    assert.match(error.message, /the delta's base \(SHA-256 48fe587dd03dcfc1…, written as vis\/brain_v1\.thalia\) is not beside it/);
    return true;
  });
  const found = await readManifest(lonely, { registry: registry(), readOptions: { base: reference("brain_v1.thalia") } });
  assert.equal(found.format, "thalia-delta");
  await assert.rejects(readManifest(lonely, { registry: registry(), readOptions: { base: reference("brain_v2.thalia") } }), /was made against 48fe587d/);
});

test("deltas are read, not written", async () => {
  const { convert } = await import("@ckpt/core");
  const out = join(mkdtempSync(join(tmpdir(), "ckpt-delta-")), "x.delta.thalia");
  await assert.rejects(convert(reference("brain_v1.thalia"), out, { registry: registry() }), /reads Thalia deltas but does not write them/);
});
