import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry, Tensor, convert, mapTensors, type FormatPlugin, type PyMap } from "../src/index.js";
import { toyFormat } from "./helpers/toy-format.js";

/** The toy format, but its reader marks every f32 tensor as a Parameter and its writer keeps that hint. */
const hintedToy: FormatPlugin = {
  ...toyFormat,
  id: "toy-hinted",
  extensions: [".toyh"],
  capabilities: { ...toyFormat.capabilities, tensorAttrs: ["requiresGrad"] },
  async decode(input) {
    const { root } = await toyFormat.decode(input);
    return { root: mapTensors(root, (t) => (t.dtype === "f32" ? t.with({ attrs: { requiresGrad: true } }) : t)) as PyMap };
  },
};

test("a conversion warns about each tensor attribute the target format does not keep", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ckpt-attrs-"));
  const src = join(dir, "a.toyh");
  const root: PyMap = new Map([
    ["w", Tensor.fromBytes("f32", [2], new Uint8Array(8))],
    ["b", Tensor.fromBytes("f32", [1], new Uint8Array(4))],
    ["n", Tensor.fromBytes("i64", [1], new Uint8Array(8))],
  ]);
  const chunks: Uint8Array[] = [];
  for await (const chunk of toyFormat.encode({ root }, { name: src, options: {}, reporter: { progress() {}, warn() {}, lossy() {} } })) chunks.push(chunk);
  writeFileSync(src, Buffer.concat(chunks));
  // Both identify the same bytes; the first registered wins, so the source reads as hinted.
  const registry = new Registry().use(hintedToy).use(toyFormat);

  const dropped = await convert(src, join(dir, "b.toy"), { registry });
  assert.deepEqual(dropped.warnings, ['toy does not keep the tensor attribute "requiresGrad" (on 2 tensors); the values are written, the attribute is not']);

  const kept = await convert(src, join(dir, "c.toyh"), { registry });
  assert.deepEqual(kept.warnings, []);
});
