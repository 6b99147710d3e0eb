import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { compareManifestTrees, convert, readManifest, walkTensors, type PyMap } from "@ckpt/core";
import { headerOf, reference, registry, tempDir, withDecoded } from "./helpers.js";

const SOURCES = ["brain_v2.torch113.ckpt", "brain_v2.torch26.ckpt", "brain_v1.torch113.pt"];
const CHAIN = ["a.safetensors", "b.thalia", "c.safetensors", "d.pt"];

for (const name of SOURCES) {
  test(`${name} → .safetensors → .thalia → .safetensors → .pt is lossless by manifest`, async () => {
    const dir = tempDir();
    const want = (await readManifest(reference(name), { registry: registry() })).tree;
    let from = reference(name);
    for (const step of CHAIN) {
      const to = join(dir, step);
      await convert(from, to, { registry: registry() });
      const got = await readManifest(to, { registry: registry() });
      assert.deepEqual(compareManifestTrees(got.tree, want), [], `after ${step}`);
      from = to;
    }
    // The safetensors files are real safetensors: metadata mirrored, tensors under dotted paths.
    const { json } = headerOf(readFileSync(join(dir, "a.safetensors")));
    const meta = json.get("__metadata__") as PyMap;
    assert.equal(meta.get("format"), "pt");
    assert.equal(typeof meta.get("ckpt.tree"), "string");
    const source = (await withDecoded(join(dir, "a.safetensors"), async (c) => c.root.get("metadata"))) as PyMap;
    for (const [key, value] of source) if (typeof value === "string" && key !== "format") assert.equal(meta.get(key as string), value, `metadata ${String(key)} mirrored`);
    assert.ok([...json.keys()].some((key) => typeof key === "string" && key.startsWith("regions.")), "dotted tensor names");
  });
}

test("writing through a compressor records the exact encoded size (.safetensors.zst)", async () => {
  const dir = tempDir();
  const src = reference("brain_v2.torch113.ckpt");
  await convert(src, join(dir, "a.safetensors"), { registry: registry() });
  await convert(src, join(dir, "a.safetensors.zst"), { registry: registry() });
  const zst = readFileSync(join(dir, "a.safetensors.zst"));
  // zstd frame header: magic, descriptor; with a known content size the FCS field is present.
  const descriptor = zst[4]!;
  const fcsFlag = descriptor >> 6;
  const single = (descriptor >> 5) & 1;
  assert.ok(fcsFlag > 0 || single === 1, "frame records the content size");
  const fcsBytes = [single ? 1 : 0, 2, 4, 8][fcsFlag]!;
  const at = 5 + (single ? 0 : 1) + [0, 1, 2, 4][descriptor & 3]!;
  let size = 0n;
  for (let i = 0; i < fcsBytes; i++) size |= BigInt(zst[at + i]!) << BigInt(8 * i);
  if (fcsBytes === 2) size += 256n;
  assert.equal(size, BigInt(statSync(join(dir, "a.safetensors")).size));
  const a = await readManifest(join(dir, "a.safetensors.zst"), { registry: registry() });
  const b = await readManifest(src, { registry: registry() });
  assert.deepEqual(compareManifestTrees(a.tree, b.tree), []);
});

test("tensor attributes (nn.Parameter, requires_grad) survive .pt → .safetensors → .pt", async () => {
  const dir = tempDir();
  const src = reference("edge_cases.torch113.pt");
  await convert(src, join(dir, "e.safetensors"), { registry: registry() });
  const before = await withPt(src);
  const after = await withDecoded(join(dir, "e.safetensors"), async (c) => [...walkTensors(c.root)].map(({ tensor }) => JSON.stringify(Object.keys(tensor.attrs).sort())));
  assert.deepEqual(after, before);
  assert.ok(before.some((keys) => keys.includes("parameter")), "the fixture has a Parameter");
});

async function withPt(path: string): Promise<string[]> {
  const { withCheckpoint } = await import("@ckpt/core");
  return withCheckpoint(path, { registry: registry() }, async (opened) => [...walkTensors(opened.checkpoint.root)].map(({ tensor }) => JSON.stringify(Object.keys(tensor.attrs).sort())));
}
