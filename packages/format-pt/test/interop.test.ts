/**
 * Interop with real PyTorch (Debian's python3-torch 1.13): what ckpt writes, torch.load
 * reads to the same content; what torch.save writes, ckpt reads to the same content.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareManifestTrees, convert, readManifest, walkTensors, withCheckpoint, type Node, type PyMap } from "@ckpt/core";
import { FIXTURES, reference, registry } from "./helpers.js";
import { hasTorch, torchManifest, torchSaveBuiltState } from "./oracle.js";

const workdir = () => mkdtempSync(join(tmpdir(), "ckpt-pt-interop-"));
const fixtures = readdirSync(join(FIXTURES, "reference")).filter((f) => /\.(pt|ckpt)$/.test(f));

/** True when the tree holds no Python float (torch 1.13's weights_only cannot read BINFLOAT). */
function floatFree(node: Node): boolean {
  const stack: Node[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (typeof n === "number") return false;
    if (n instanceof Map) stack.push(...n.values(), ...[...n.keys()].filter((k): k is number => typeof k === "number"));
    else if (Array.isArray(n)) stack.push(...n);
    else if (n && typeof n === "object" && "items" in n) stack.push(...(n as { items: Node[] }).items);
  }
  return true;
}

for (const name of fixtures) {
  test(`ckpt writes ${name} again and torch.load reads the same content`, async (t) => {
    if (!hasTorch(t)) return;
    const out = join(workdir(), name);
    await convert(reference(name), out, { registry: registry() });
    const ours = await readManifest(reference(name), { registry: registry() });
    assert.deepEqual(compareManifestTrees(ours.tree, torchManifest(out).tree), []);
  });
}

test("torch.save → ckpt: every dtype, views, 0-dim, empty, nested containers, big ints, NaN", async (t) => {
  if (!hasTorch(t)) return;
  const saved = join(workdir(), "built.pt");
  torchSaveBuiltState(saved);
  const ours = await readManifest(saved, { registry: registry() });
  assert.deepEqual(compareManifestTrees(ours.tree, torchManifest(saved).tree), []);
});

test("ckpt → torch.load: the same built state written by ckpt", async (t) => {
  if (!hasTorch(t)) return;
  const dir = workdir();
  const saved = join(dir, "built.pt");
  torchSaveBuiltState(saved);
  const out = join(dir, "ours.pt");
  await convert(saved, out, { registry: registry() });
  assert.deepEqual(compareManifestTrees((await readManifest(saved, { registry: registry() })).tree, torchManifest(out).tree), []);
});

test("content without Python floats also loads with torch.load(weights_only=True)", async (t) => {
  if (!hasTorch(t)) return;
  const dir = workdir();
  let checked = 0;
  for (const name of fixtures) {
    const out = join(dir, name);
    await convert(reference(name), out, { registry: registry(), force: true });
    const free = await withCheckpoint(out, { registry: registry() }, async ({ checkpoint }) => floatFree(checkpoint.root));
    if (!free) continue;
    checked++;
    const ours = await readManifest(out, { registry: registry() });
    assert.deepEqual(compareManifestTrees(ours.tree, torchManifest(out, { weightsOnly: true }).tree), []);
  }
  // A state of tensors only, nested in dicts, lists and tuples, with int scalars.
  const tensorsOnly = join(dir, "tensors-only.pt");
  await withCheckpoint(reference("edge_cases.torch113.pt"), { registry: registry() }, async ({ checkpoint }) => {
    const tensors: PyMap = new Map();
    for (const { path, tensor } of walkTensors(checkpoint.root)) tensors.set(path.map(String).join("."), tensor);
    const { encodePt } = await import("../src/write/encode.js");
    const { writeFileSync } = await import("node:fs");
    const chunks: Uint8Array[] = [];
    for await (const chunk of encodePt({ root: new Map<string, Node>([["tensors", tensors], ["steps", [1n, 2n ** 60n]]]) })) chunks.push(chunk);
    writeFileSync(tensorsOnly, Buffer.concat(chunks));
  });
  const loaded = torchManifest(tensorsOnly, { weightsOnly: true });
  assert.deepEqual(compareManifestTrees((await readManifest(tensorsOnly, { registry: registry() })).tree, loaded.tree), []);
  // Every reference fixture holds a Python float (a loss, a NaN), so the built state is
  // what proves weights_only here; the loop above covers any float-free fixture added later.
  t.diagnostic(`${checked} reference fixtures were float-free and checked with weights_only=True`);
});
