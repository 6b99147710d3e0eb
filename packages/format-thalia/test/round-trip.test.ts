import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { OpaqueObject, Tuple, compareManifestTrees, manifestTree, readManifest, withCheckpoint, type Node, type PyMap, type Tensor } from "@ckpt/core";
import { registry } from "./helpers.js";
import { awkwardState, write } from "./awkward-state.js";

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

test("dataclasses are written as the reference writes them and read back as opaque objects", async () => {
  const config = new OpaqueObject("thalia.config.RegionConfig", [], new Map<string, Node>([["n_input", 4n], ["tau_ms", 20.0]]), "dataclass");
  const path = await write(new Map([["regions", new Map([["r", new Map([["config", config]])]])]]));
  assert.match(readFileSync(path, "latin1"), /"config": \{\n {4}"_dataclass": "thalia.config.RegionConfig",\n {4}"_fields": \{\n {6}"n_input": 4,\n {6}"tau_ms": 20\.0/);
  await withCheckpoint(path, { registry: registry() }, async ({ checkpoint }) => {
    const back = ((checkpoint.root.get("regions") as PyMap).get("r") as PyMap).get("config");
    assert.ok(back instanceof OpaqueObject);
    assert.equal(back.className, "thalia.config.RegionConfig");
    assert.deepEqual(back.state, new Map<string, Node>([["n_input", 4n], ["tau_ms", 20.0]]));
  });
});
