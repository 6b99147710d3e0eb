import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareManifestTrees, convert, readManifest, type PyMap } from "@ckpt/core";
import { reference, registry } from "./helpers.js";
import { hasTorch, referenceRead } from "./oracle.js";

const SAMPLE = new URL("../../../samples/brain_sample.thalia", import.meta.url).pathname;

/** Writes `source` again with ckpt and checks that a PyTorch-based reader sees the same regions and pathways. */
async function check(source: string, writeOptions: Record<string, unknown> = {}) {
  const out = join(mkdtempSync(join(tmpdir(), "ckpt-oracle-")), "out.thalia");
  await convert(source, out, { registry: registry(), writeOptions });
  const theirs = referenceRead(out);
  const ours = (await readManifest(out, { registry: registry() })).tree as PyMap;
  const tree = theirs.get("tree") as PyMap;
  for (const key of ["regions", "pathways"]) assert.deepEqual(compareManifestTrees(ours.get(key)!, tree.get(key)!), [], key);
}

test("files ckpt writes load in a PyTorch-based reader with the same content", async (t) => {
  if (!hasTorch(t)) return;
  await check(reference("brain_v1.thalia"));
  await check(reference("brain_v2.thalia"));
  await check(reference("brain_v2_fp16.thalia")); // sparse f16 in the source, dense in ours: loadable
  await check(SAMPLE);
});

test("the reference-style reader refuses sparse f16, as the reference does (why ckpt never writes it)", (t) => {
  if (!hasTorch(t)) return;
  assert.throws(() => referenceRead(reference("brain_v2_fp16.thalia")), /Unsupported dtype: torch.float16/);
});
