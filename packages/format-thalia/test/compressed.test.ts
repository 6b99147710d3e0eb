import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareManifestTrees, convert, describe, readManifest, type Node } from "@ckpt/core";
import zstd from "@ckpt/compress-zstd";
import { reference, registry } from "./helpers.js";
import { hasTorch, referenceRead } from "./oracle.js";
import { awkwardState, write } from "./awkward-state.js";

const workdir = () => mkdtempSync(join(tmpdir(), "ckpt-thalia-z-"));

async function decompress(frame: Uint8Array): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of zstd.decompress()((async function* () { yield frame; })())) parts.push(chunk);
  return Buffer.concat(parts);
}

/** A compressed Thalia file is frame || sha256(frame). */
function splitTrailer(file: Buffer): { frame: Buffer; trailer: Buffer } {
  return { frame: file.subarray(0, -32), trailer: file.subarray(-32) };
}

for (const name of ["brain_v2.thalia.zst", "brain_v2_mixed.thalia.zst"]) test(`re-encoding ${name} gives the same decompressed body and a valid trailer`, async () => {
  const source = reference(name);
  const info = await describe(source, { registry: registry() });
  const out = join(workdir(), "again.thalia.zst");
  await convert(source, out, { registry: registry(), writeOptions: { timestamp: info.container.timestamp } });
  const ours = splitTrailer(readFileSync(out));
  const theirs = splitTrailer(readFileSync(source));
  assert.deepEqual(ours.trailer, createHash("sha256").update(ours.frame).digest());
  assert.ok((await decompress(ours.frame)).equals(await decompress(theirs.frame)), "decompressed bodies differ");
});

test(".thalia → .thalia.zst (levels 1, 3, 19) → .thalia is lossless by manifest", async () => {
  const dir = workdir();
  const source = reference("brain_v2.thalia");
  const before = await readManifest(source, { registry: registry() });
  for (const level of [1, 3, 19]) {
    const packed = join(dir, `l${level}.thalia.zst`);
    const report = await convert(source, packed, { registry: registry(), level });
    assert.equal(report.destination.codec, "zstd");
    const back = join(dir, `l${level}.thalia`);
    await convert(packed, back, { registry: registry() });
    const after = await readManifest(back, { registry: registry() });
    assert.deepEqual(compareManifestTrees(before.tree, after.tree), []);
  }
});

test("a .thalia.zst ckpt writes loads in the PyTorch-based reader (python-zstandard one-shot)", async (t) => {
  if (!hasTorch(t)) return;
  const out = join(workdir(), "brain.thalia.zst");
  await convert(reference("brain_v2.thalia"), out, { registry: registry() });
  const theirs = referenceRead(out, "zstd");
  const ours = await readManifest(out, { registry: registry() });
  const tree = ours.tree as Map<string, Node>;
  const read = theirs.get("tree") as Map<string, Node>;
  assert.deepEqual(compareManifestTrees(tree.get("regions")!, read.get("regions")!), []);
});

test("a .ckpt name holding a Thalia container is read as Thalia", async () => {
  const dir = workdir();
  const out = join(dir, "looks-like-torch.ckpt");
  await convert(reference("brain_v2.thalia"), join(dir, "x.thalia.zst"), { registry: registry() });
  await convert(join(dir, "x.thalia.zst"), out, { registry: registry(), format: "thalia", codec: null });
  const manifest = await readManifest(out, { registry: registry() });
  assert.equal(manifest.format, "thalia");
});

test("re-encoding brain_v2.thalia.lz4 gives the same decompressed body and a valid trailer", async () => {
  const lz4 = (await import("@ckpt/compress-lz4")).default;
  const source = reference("brain_v2.thalia.lz4");
  const info = await describe(source, { registry: registry() });
  const out = join(workdir(), "again.thalia.lz4");
  await convert(source, out, { registry: registry(), writeOptions: { timestamp: info.container.timestamp } });
  const inflate = async (frame: Uint8Array) => {
    const parts: Uint8Array[] = [];
    for await (const chunk of lz4.decompress()((async function* () { yield frame; })())) parts.push(chunk);
    return Buffer.concat(parts);
  };
  const ours = splitTrailer(readFileSync(out));
  const theirs = splitTrailer(readFileSync(source));
  assert.deepEqual(ours.trailer, createHash("sha256").update(ours.frame).digest());
  assert.ok((await inflate(ours.frame)).equals(await inflate(theirs.frame)), "decompressed bodies differ");
});

test(".thalia → .thalia.zst → .thalia.lz4 → .thalia is lossless by manifest, awkward state included", async () => {
  const dir = workdir();
  for (const source of [reference("brain_v2.thalia"), reference("brain_v1.thalia"), await write(awkwardState(), {}, dir)]) {
    const before = await readManifest(source, { registry: registry() });
    const zst = join(dir, "a.thalia.zst");
    const lz4 = join(dir, "b.thalia.lz4");
    const back = join(dir, "c.thalia");
    await convert(source, zst, { registry: registry(), force: true });
    await convert(zst, lz4, { registry: registry(), force: true });
    await convert(lz4, back, { registry: registry(), force: true });
    for (const step of [zst, lz4, back]) {
      const after = await readManifest(step, { registry: registry() });
      assert.deepEqual(compareManifestTrees(before.tree, after.tree), [], `${source} → ${step}`);
    }
  }
});

test("a .thalia.lz4 ckpt writes loads in the PyTorch-based reader (python-lz4)", async (t) => {
  if (!hasTorch(t)) return;
  const out = join(workdir(), "brain.thalia.lz4");
  await convert(reference("brain_v2.thalia"), out, { registry: registry() });
  const read = referenceRead(out, "lz4").get("tree") as Map<string, Node>;
  const ours = (await readManifest(out, { registry: registry() })).tree as Map<string, Node>;
  assert.deepEqual(compareManifestTrees(ours.get("regions")!, read.get("regions")!), []);
});
