import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareManifestTrees, convert, describe, readManifest, type PyMap } from "@ckpt/core";
import { expectation, reference, registry } from "./helpers.js";

const UNCOMPRESSED = ["brain_v1.thalia", "brain_v2.thalia", "brain_v2_fp16.thalia"];
const COMPRESSED = ["brain_v2.thalia.zst", "brain_v2_mixed.thalia.zst", "brain_v2.thalia.lz4"];
const DELTAS = ["stage1_v1.delta.thalia"];

for (const name of [...UNCOMPRESSED, ...COMPRESSED, ...DELTAS]) {
  test(`manifest of ${name} equals its .expect.json (regions, pathways, metadata keys)`, async () => {
    const path = reference(name);
    const expected = expectation(path);
    const manifest = await readManifest(path, { registry: registry() });
    assert.equal(manifest.format, DELTAS.includes(name) ? "thalia-delta" : "thalia");
    assert.equal(manifest.codec, expected.get("codec") ?? null);
    const tree = manifest.tree as PyMap;
    const want = expected.get("tree") as PyMap;
    for (const key of ["regions", "pathways"]) {
      assert.deepEqual(compareManifestTrees(tree.get(key)!, want.get(key)!), [], `${key} differ`);
    }
    const keys = (expected.get("metadata_keys") ?? []) as string[];
    if (keys.length > 0) {
      const info = await describe(path, { registry: registry() });
      assert.deepEqual([...(info.container.metadata_keys as string[])].sort(), [...keys].sort());
    }
  });

  if (!UNCOMPRESSED.includes(name)) continue;
  test(`decoding and re-encoding ${name} reproduces it byte for byte`, async () => {
    const path = reference(name);
    const info = await describe(path, { registry: registry() });
    const out = join(mkdtempSync(join(tmpdir(), "ckpt-thalia-")), name);
    // The fp16 fixture holds sparse f16 records; reproducing them must be asked for (see sparseF16).
    const sparseF16 = name.includes("fp16");
    await convert(path, out, { registry: registry(), writeOptions: { timestamp: info.container.timestamp, sparseF16 } });
    assert.ok(readFileSync(out).equals(readFileSync(path)), "bytes differ");
  });
}

test("by default f16 tensors are written dense, so the reference reader can load the file", async () => {
  const path = reference("brain_v2_fp16.thalia");
  const out = join(mkdtempSync(join(tmpdir(), "ckpt-thalia-")), "dense.thalia");
  await convert(path, out, { registry: registry() });
  const written = readFileSync(out);
  assert.ok(written.byteLength > readFileSync(path).byteLength, "dense f16 records take more room");
  const a = await readManifest(path, { registry: registry() });
  const b = await readManifest(out, { registry: registry() });
  assert.deepEqual(compareManifestTrees(a.tree, b.tree), []);
  for (const match of written.toString("latin1").matchAll(/"_offset": (\d+)/g)) {
    const at = Number(match[1]);
    const [encoding, dtype] = [written.readUInt32LE(at), written.readUInt32LE(at + 4)];
    assert.ok(!(encoding === 1 && dtype === 5), `sparse f16 record at ${at}`);
  }
});
