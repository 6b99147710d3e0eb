import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  OpaqueObject, Tensor, Tuple, compareManifestTrees, manifestTree, readManifest, withCheckpoint,
  type EncodeOutput, type Key, type Node, type PyMap,
} from "@ckpt/core";
import thalia from "../src/index.js";
import { registry } from "./helpers.js";

const bytesOf = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
const output = (name: string, options: Record<string, unknown> = {}): EncodeOutput => ({ name, options, reporter: { progress() {}, warn() {}, lossy() {} } });

async function write(root: PyMap, options: Record<string, unknown> = {}): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), "ckpt-thalia-rt-")), "state.thalia");
  const chunks: Uint8Array[] = [];
  for await (const chunk of thalia.encode({ root }, output(path, options))) chunks.push(chunk);
  writeFileSync(path, Buffer.concat(chunks));
  return path;
}

/** A state with everything the container lacks natively. */
function awkwardState(): PyMap {
  const longName = "a_region_name_that_is_much_longer_than_31_bytes";
  const sparse = new Float32Array(400);
  sparse[7] = 1.5;
  sparse[300] = -2;
  const signedZeros = new Float32Array(400);
  signedZeros[3] = -0;
  return new Map<string, Node>([
    ["metadata", new Map<string, Node>([["epoch", 3n], ["checkpoint_format_version", "2.0"], ["note", "Δθ"]])],
    ["regions", new Map<string, Node>([
      [longName, new Map<string, Node>([
        ["bf16", Tensor.fromBytes("bf16", [3], bytesOf(new Uint16Array([0x3f80, 0xc000, 0x7fc0])))],
        ["i8", Tensor.fromBytes("i8", [4], bytesOf(new Int8Array([-128, -1, 0, 127])))],
        ["u8", Tensor.fromBytes("u8", [2], new Uint8Array([0, 255]))],
        ["i16", Tensor.fromBytes("i16", [2], bytesOf(new Int16Array([-32768, 32767])))],
        ["sparse", Tensor.fromBytes("f32", [20, 20], bytesOf(sparse))],
        ["signed_zeros", Tensor.fromBytes("f32", [400], bytesOf(signedZeros))],
        ["scalar", Tensor.fromBytes("f64", [], bytesOf(new Float64Array([Math.PI])))],
        ["empty", Tensor.fromBytes("f32", [0, 3], new Uint8Array())],
        ["history", [Tensor.fromBytes("i64", [1], bytesOf(new BigInt64Array([-5n]))), new Tuple([1n, 2.5, null])]],
      ])],
      ["cortex", new Map<string, Node>([["n", 1n], ["f", 1.0]])],
    ])],
    ["pathways", new Map<string, Node>([["pathway_with_a_name_longer_than_thirty", new Map<string, Node>([["w", Tensor.fromBytes("f32", [1], bytesOf(new Float32Array([2])))]])]])],
    ["big", 2n ** 62n + 3n],
    ["huge", -(10n ** 25n)],
    ["nan", NaN],
    ["inf", [Infinity, -Infinity]],
    ["tuple", new Tuple([1n, "two", new Tuple([])])],
    ["bytes", new Uint8Array([0, 1, 254])],
    ["keys", new Map<Key, Node>([[1n, "int key"], [null, "none key"], ["_ckpt", "reserved"]])],
    ["object", new OpaqueObject("mod.Thing", ["arg"], new Map([["x", 1n]]), "reduce")],
    ["config", new Map<string, Node>([["dt", 0.1]])],
    ["extra_tensor", Tensor.fromBytes("u16", [2], bytesOf(new Uint16Array([1, 65535])))],
  ]);
}

test("a state with bf16/i8/u8/i16, big ints, NaN, tuples, bytes and long names survives .thalia", async () => {
  const source = awkwardState();
  const path = await write(source);
  const manifest = await readManifest(path, { registry: registry() });
  assert.deepEqual(compareManifestTrees(await manifestTree(source), manifest.tree), []);
});

test("node kinds come back as themselves, not only equal manifests", async () => {
  const path = await write(awkwardState());
  await withCheckpoint(path, { registry: registry() }, async ({ checkpoint }) => {
    const root = checkpoint.root;
    assert.ok(root.get("tuple") instanceof Tuple);
    assert.ok(root.get("bytes") instanceof Uint8Array);
    assert.equal(root.get("big"), 2n ** 62n + 3n);
    assert.ok(root.get("object") instanceof OpaqueObject);
    const keys = root.get("keys") as PyMap;
    assert.equal(keys.get(1n), "int key");
    assert.equal(keys.get(null), "none key");
    const region = (root.get("regions") as PyMap).get("a_region_name_that_is_much_longer_than_31_bytes") as PyMap;
    assert.equal((region.get("bf16") as Tensor).dtype, "bf16");
    assert.equal((root.get("metadata") as PyMap).get("checkpoint_format_version"), "2.0");
    assert.deepEqual([...(root.get("metadata") as PyMap).keys()].sort(), ["checkpoint_format_version", "epoch", "note"]);
  });
});

test("what the reference reader relies on: cut names, widened dtypes, no sparse f16, sparse elsewhere", async () => {
  const path = await write(awkwardState());
  const bytes = readFileSync(path);
  const text = bytes.toString("latin1");
  assert.match(text, /"_dtype": "bf16"/);
  assert.match(text, /"region_names": \{/);
  const indexAt = Number(bytes.readBigUInt64LE(36));
  const names = Array.from({ length: bytes.readUInt32LE(92) }, (_, i) => bytes.subarray(indexAt + i * 48, indexAt + i * 48 + 32).toString("utf8").replace(/\0+$/, ""));
  assert.ok(names.every((n) => Buffer.byteLength(n) <= 31), names.join(","));
  assert.ok(names.includes("pathway:pathway_with_a_name_lon"));
  assert.ok(names.includes("state:extra_tensor"));
  const encodings = [...text.matchAll(/"_offset": (\d+)/g)].map((m) => bytes.readUInt32LE(Number(m[1])));
  assert.ok(encodings.includes(1), "the mostly-zero tensor is stored sparse");
});

test("-0.0 survives because such tensors are stored dense", async () => {
  const path = await write(awkwardState());
  await withCheckpoint(path, { registry: registry() }, async ({ checkpoint }) => {
    const region = (checkpoint.root.get("regions") as PyMap).get("a_region_name_that_is_much_longer_than_31_bytes") as PyMap;
    const values = new Float32Array((await (region.get("signed_zeros") as Tensor).source.read()).slice().buffer);
    assert.ok(Object.is(values[3], -0));
  });
});
