import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { OpaqueObject, OrderedMap, RandomAccessFile, TempScope, Tensor, Tuple, kindOf, type CkptError, type Node, type PyMap } from "@ckpt/core";
import safetensors from "../src/index.js";
import { escapeStep, splitName } from "../src/tree/paths.js";
import { encodeToBuffer, headerOf, reference, tempDir, withDecoded } from "./helpers.js";

/** Deep equality that also checks node kinds: int vs float, tuple vs list, OrderedDict, key kinds, -0.0. */
async function assertSameNode(a: Node, b: Node, path = "(root)"): Promise<void> {
  assert.equal(kindOf(b), kindOf(a), `${path}: kind`);
  if (a instanceof Tensor && b instanceof Tensor) {
    assert.equal(b.dtype, a.dtype, `${path}: dtype`);
    assert.deepEqual(b.shape, a.shape, `${path}: shape`);
    assert.deepEqual(Buffer.from(await b.source.read()), Buffer.from(await a.source.read()), `${path}: bytes`);
    assert.deepEqual(b.attrs, a.attrs, `${path}: attrs`);
  } else if (a instanceof Map && b instanceof Map) {
    assert.equal(b instanceof OrderedMap, a instanceof OrderedMap, `${path}: OrderedDict`);
    if (a instanceof OrderedMap && a.attributes) await assertSameNode(a.attributes, (b as OrderedMap).attributes ?? null, `${path}.attributes`);
    const ka = [...a.keys()];
    const kb = [...b.keys()];
    assert.equal(kb.length, ka.length, `${path}: key count`);
    for (let i = 0; i < ka.length; i++) {
      await assertSameNode(ka[i] as Node, kb[i] as Node, `${path}: key ${i}`);
      await assertSameNode(a.get(ka[i]!)!, b.get(kb[i]!)!, `${path}.${String(ka[i])}`);
    }
  } else if ((Array.isArray(a) && Array.isArray(b)) || (a instanceof Tuple && b instanceof Tuple)) {
    const ia = Array.isArray(a) ? a : (a as Tuple).items;
    const ib = Array.isArray(b) ? b : (b as Tuple).items;
    assert.equal(ib.length, ia.length, `${path}: length`);
    for (let i = 0; i < ia.length; i++) await assertSameNode(ia[i]!, ib[i]!, `${path}[${i}]`);
  } else if (a instanceof OpaqueObject && b instanceof OpaqueObject) {
    assert.equal(b.className, a.className);
    assert.equal(b.variant, a.variant);
    await assertSameNode(a.args, b.args, `${path}.args`);
    if (a.state === undefined) assert.equal(b.state, undefined);
    else await assertSameNode(a.state, b.state ?? null, `${path}.state`);
  } else if (a instanceof Uint8Array && b instanceof Uint8Array) {
    assert.deepEqual(Buffer.from(b), Buffer.from(a), path);
  } else {
    assert.ok(Object.is(a, b), `${path}: ${String(a)} ≠ ${String(b)}`);
  }
}

/** Encodes `root`, decodes the file and hands both to `check` while the file is open. */
async function roundTrip(root: PyMap, check: (back: PyMap, header: PyMap) => Promise<void> = async () => {}): Promise<PyMap> {
  const path = join(tempDir(), "t.safetensors");
  const bytes = await encodeToBuffer({ root });
  writeFileSync(path, bytes);
  const header = headerOf(bytes).json;
  await withDecoded(path, (c) => check(c.root, header));
  return header;
}

const f32 = (...values: number[]) => Tensor.fromBytes("f32", [values.length], new Uint8Array(new Float32Array(values).buffer));

function awkwardTree(): PyMap {
  const shared = f32(1, 2, 3);
  const ordered = new OrderedMap([["b", 2n], ["a", f32(9)]]);
  ordered.attributes = new Map<string, Node>([["_metadata", new Map([["", new Map([["version", 1n]])]])]]);
  return new Map<string | bigint | boolean | null | number | Tuple, Node>([
    ["metadata", new Map<string, Node>([["epoch", 7n], ["note", "hello"], ["loss", 0.25], ["format", "thalia"]])],
    ["regions", new Map<string, Node>([
      ["cortex.v1", new Map<string, Node>([["w\\x", shared], ["again", shared]])],
      ["ints", [1n, 2n ** 70n, -(2n ** 64n) - 1n, 9007199254740993n]],
      ["floats", [1.0, -0.0, NaN, Infinity, -Infinity, 1e-300, 2 ** 60]],
      ["tuple", new Tuple([1n, "x", new Tuple([]), f32(4)])],
      ["bytes", new Uint8Array([0, 255, 10])],
      ["odict", ordered],
      ["object", new OpaqueObject("thalia.Config", [1n, f32(5)], new Map<string, Node>([["dt", 1.0]]), "reduce")],
      ["dataclass", new OpaqueObject("thalia.State", [], new Map<string, Node>([["t", 0.5]]), "dataclass")],
      ["$tensor", "not a tag"],
      ["empty", new Map()],
      ["nothing", null],
      ["yes", true],
    ])],
    [3n, "int key"],
    [1.5, "float key"],
    [true, "bool key"],
    [null, "none key"],
    [new Tuple([1n, "a"]), "tuple key"],
    ["3", "string key that prints like the int"],
    ["__metadata__", f32(6)],
    ["list", [f32(7), [f32(8)]]],
  ]) as PyMap;
}

test("every node kind survives a round trip through ckpt.tree", async () => {
  const root = awkwardTree();
  const header = await roundTrip(root, async (back) => {
    await assertSameNode(root, back);
    assert.equal((back.get("metadata") as PyMap).get("format"), "thalia");
  });
  const meta = header.get("__metadata__") as PyMap;
  assert.equal(meta.get("format"), "pt", "format: pt wins over metadata.format (the tree keeps the original)");
  assert.equal(meta.get("note"), "hello", "string metadata mirrored");
  assert.equal(meta.has("epoch"), false, "non-string metadata only in ckpt.tree");
});

test("stored names: dotted paths, `.` → `\\.`, `\\` → `\\\\`, indices as numbers, collisions and __metadata__ renamed", async () => {
  const header = await roundTrip(awkwardTree());
  const names = [...header.keys()].filter((k) => k !== "__metadata__").sort();
  assert.deepEqual(names, [
    "__metadata__#2",
    "list.0",
    "list.1.0",
    "regions.cortex\\.v1.again",
    "regions.cortex\\.v1.w\\\\x",
    "regions.object.1",
    "regions.odict.a",
    "regions.tuple.3",
  ]);
  // a shared tensor is stored once per path, as its own tensor
  const a = header.get("regions.cortex\\.v1.again") as PyMap;
  const b = header.get("regions.cortex\\.v1.w\\\\x") as PyMap;
  assert.notDeepEqual(a.get("data_offsets"), b.get("data_offsets"));
});

test("escaping splits back exactly", () => {
  for (const steps of [["a.b", "c\\", "", "d\\.e"], ["x"], ["\\", ".", "\\\\."]]) {
    assert.deepEqual(splitName(steps.map(escapeStep).join(".")), steps);
  }
  assert.deepEqual(splitName("a\\x.b"), ["a\\x", "b"], "a foreign backslash stays");
});

test("a flat map with an OrderedDict root or tensor attributes keeps its names and adds ckpt.tree", async () => {
  const root = new OrderedMap([["layer.0.weight", f32(1).with({ attrs: { parameter: true, requiresGrad: true } })], ["layer.0.bias", f32(2)]]);
  const header = await roundTrip(root, (back) => assertSameNode(root, back));
  assert.ok(header.has("layer.0.weight"), "state_dict names stored as they are");
  assert.equal(typeof (header.get("__metadata__") as PyMap).get("ckpt.tree"), "string");
});

test("a plain flat map is written without __metadata__", async () => {
  const header = await roundTrip(new Map([["a.b", f32(1)], ["c", f32(2)]]));
  assert.equal(header.has("__metadata__"), false);
});

test("dtypes safetensors lacks are refused with UNSUPPORTED, never changed", async () => {
  const root = new Map<string, Node>([["regions", new Map([["z", Tensor.fromBytes("c128", [1], new Uint8Array(16))]])]]);
  await assert.rejects(encodeToBuffer({ root }, "z.safetensors"), (error: CkptError) => {
    assert.equal(error.code, "UNSUPPORTED");
    assert.match(error.message, /^z\.safetensors: tensor "regions\.z" is c128, which safetensors cannot store/);
    return true;
  });
});

test("option unflatten turns dotted names into nested maps and __metadata__ into metadata", async () => {
  const path = reference("brain_v2_flat.safetensors");
  const nested = await withDecoded(path, async (c) => c.root, { unflatten: true });
  assert.deepEqual([...nested.keys()].sort(), ["metadata", "pathways", "regions"]);
  const cortex = (nested.get("regions") as PyMap).get("cortex") as PyMap;
  assert.ok((cortex.get("neuron_state") as PyMap).get("membrane") instanceof Tensor);
  assert.equal((nested.get("metadata") as PyMap).get("training_steps"), "5000");
  const flatCount = await withDecoded(path, async (c) => c.root.size);
  let count = 0;
  const walk = (n: Node) => (n instanceof Tensor ? count++ : n instanceof Map ? [...n.values()].forEach(walk) : undefined);
  walk(nested);
  assert.equal(count, flatCount);
});

test("unflatten refuses a name that is both a tensor and a prefix, naming both", async () => {
  const path = join(tempDir(), "clash.safetensors");
  writeFileSync(path, await encodeToBuffer({ root: new Map([["a", f32(1)], ["a.b", f32(2)]]) }));
  await assert.rejects(withDecoded(path, async (c) => c.root, { unflatten: true }), (error: CkptError) => {
    assert.equal(error.code, "UNSUPPORTED");
    assert.match(error.message, /cannot unflatten "a\.b": the path "a" is already taken by "a"; read without unflatten$/);
    return true;
  });
});

test("a tensor added by another tool beside ckpt.tree is kept at the root, with a warning", async () => {
  const root = new Map<string, Node>([["regions", new Map([["w", f32(1)]])], ["n", 3n]]);
  const bytes = await encodeToBuffer({ root });
  const { n, json } = headerOf(bytes);
  json.set("extra", new Map<string, Node>([["dtype", "U8"], ["shape", [1n]], ["data_offsets", [4n, 5n]]]));
  const meta = json.get("__metadata__") as PyMap;
  const text = `{${[...json].map(([k, v]) => `${JSON.stringify(k)}:${k === "__metadata__" ? JSON.stringify(Object.fromEntries(meta as Map<string, string>)) : JSON.stringify(v, (_, x) => (typeof x === "bigint" ? Number(x) : x instanceof Map ? Object.fromEntries(x) : x))}`).join(",")}}`;
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(text)));
  const path = join(tempDir(), "extra.safetensors");
  writeFileSync(path, Buffer.concat([head, Buffer.from(text), bytes.subarray(8 + n), Buffer.from([42])]));
  const warnings: string[] = [];
  const scope = new TempScope();
  try {
    const file = scope.adopt(await RandomAccessFile.open(path));
    const reporter = { progress() {}, lossy() {}, warn: (m: string) => void warnings.push(m) };
    const { root: back } = await safetensors.decode({ file, name: path, options: {}, reporter, spill: (c) => scope.spill(c), openOther: () => Promise.reject(new Error("unused")) });
    assert.equal(back.get("n"), 3n);
    assert.deepEqual([...(await (back.get("extra") as Tensor).source.read())], [42]);
  } finally {
    await scope.close();
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /1 tensor\(s\) not described by ckpt\.tree kept at the root/);
});
