import { test } from "node:test";
import assert from "node:assert/strict";
import { OpaqueObject, OrderedMap, Tensor, Tuple, type Key, type Node, type PyMap } from "@ckpt/core";
import { PYTHON_GLOBALS, encodeLong, loadPickle } from "../src/index.js";
import { dumpTorchPickle, loadTorchPickle } from "../src/torch/index.js";
import { python, torchMissing } from "./helpers/python.js";
import { tag } from "./helpers/tag.js";

const f32 = (...values: number[]) => Tensor.fromBytes("f32", [values.length], new Uint8Array(new Float32Array(values).buffer));

/** Reads our own pickle back, resolving storages from what the writer returned. */
function readBack(root: Node): { root: PyMap; storageKeys: string[] } {
  const { pickle, storages } = dumpTorchPickle(root);
  const byKey = new Map(storages.map(({ key, tensor }) => [key, tensor.source]));
  const back = loadTorchPickle(pickle, { allowGlobals: ["my.Config"], storage: (key) => byKey.get(key) }) as PyMap;
  return { root: back, storageKeys: storages.map((s) => s.key) };
}

test("ints are encoded as Python's pickle.encode_long encodes them", { skip: torchMissing() }, () => {
  const values = [0n, 1n, -1n, 127n, 128n, 255n, 256n, -128n, -129n, -256n, -257n, 2n ** 31n, -(2n ** 31n) - 1n, 2n ** 63n, -(2n ** 63n), 2n ** 64n - 1n, 10n ** 40n, -(10n ** 40n)];
  const expected = python<string[]>(`import pickle, json; print(json.dumps([pickle.encode_long(int(v)).hex() for v in ${JSON.stringify(values.map(String))}]))`);
  assert.deepEqual(values.map((v) => Buffer.from(encodeLong(v)).toString("hex")), expected);
});

test("every node kind survives our writer and our reader", async () => {
  const shared = f32(1, 2, 3);
  const sd = new OrderedMap([["weight", shared], ["bias", f32(0.5)]]);
  sd.attributes = new Map([["_metadata", new OrderedMap([["", new Map([["version", 1n]])]])]]);
  const root: PyMap = new Map<Key, Node>([
    ["state_dict", sd],
    ["again", shared],
    ["ints", [0n, 255n, 65535n, 65536n, -1n, 2n ** 31n, 2n ** 53n + 1n, -(2n ** 70n), 10n ** 300n]],
    ["floats", [0, -0, 1, 1e-300, Infinity, -Infinity, NaN]],
    ["text", ["", "é", "𝄞", "\ud800"]],
    ["bytes", [new Uint8Array(), Uint8Array.from([0, 255, 10])]],
    ["tuple", new Tuple([new Tuple([]), new Tuple([1n]), new Tuple([1n, 2n, 3n, 4n])])],
    ["flags", [true, false, null]],
    [new Tuple([1n, "a"]), "tuple key"],
    [7n, "int key"],
    [2.5, "float key"],
    ["objects", [
      new OpaqueObject("builtins.set", [[1n, 2n]]),
      new OpaqueObject("torch.device", ["cuda", 0n]),
      new OpaqueObject("torch.float16", [], undefined, "global"),
      new OpaqueObject("my.Config", [], new Map([["lr", 0.1]]), "newobj"),
    ]],
    ["long list", Array.from({ length: 2500 }, (_, i) => BigInt(i))],
  ]);
  const back = readBack(root);
  assert.deepEqual(await tag(back.root), await tag(root));
  assert.equal(back.root.get("again"), (back.root.get("state_dict") as PyMap).get("weight"), "a shared tensor stays shared");
  assert.deepEqual(back.storageKeys, ["0", "1"], "one storage per distinct tensor");
  assert.ok((back.root.get("state_dict") as OrderedMap).attributes?.get("_metadata") instanceof OrderedMap);
});

test("tensor attributes: Parameters, requires_grad, 0-dim and empty tensors, dtypes without a typed storage", async () => {
  const param = f32(1, 2).with({ attrs: { parameter: true, requiresGrad: true } });
  const frozen = f32(3).with({ attrs: { parameter: true, requiresGrad: false } });
  const grad = f32(4).with({ attrs: { requiresGrad: true } });
  const scalar = Tensor.fromBytes("i64", [], new Uint8Array(8));
  const empty = Tensor.fromBytes("f16", [0, 3], new Uint8Array());
  const u16 = Tensor.fromBytes("u16", [2], Uint8Array.from([1, 0, 255, 255]));
  const back = readBack(new Map<string, Node>([["param", param], ["frozen", frozen], ["grad", grad], ["scalar", scalar], ["empty", empty], ["u16", u16]])).root;
  assert.deepEqual((back.get("param") as Tensor).attrs, { parameter: true, requiresGrad: true });
  assert.deepEqual((back.get("frozen") as Tensor).attrs, { parameter: true, requiresGrad: false });
  assert.deepEqual((back.get("grad") as Tensor).attrs, { requiresGrad: true });
  for (const key of ["scalar", "empty", "u16"]) {
    const [a, b] = [back.get(key) as Tensor, new Map<string, Node>([["scalar", scalar], ["empty", empty], ["u16", u16]]).get(key) as Tensor];
    assert.equal(a.dtype, b.dtype);
    assert.deepEqual(a.shape, b.shape);
    assert.deepEqual(await a.source.read(), await b.source.read());
  }
});

test("a float-free tree is also a plain pickle Python reads as the same values", { skip: torchMissing() }, async () => {
  const root = new Map<Key, Node>([["a", [1n, 2n ** 80n, "x", new Tuple([null, true])]], [new Tuple([1n]), new Map([["b", Uint8Array.from([1, 2])]])], ["f", 0.1]]);
  const { pickle } = dumpTorchPickle(root);
  const expected = await tag(loadPickle(pickle, { globals: PYTHON_GLOBALS }));
  const fromPython = python(
    `import pickle, sys, json
def t(v):
    if v is None or isinstance(v, bool) or isinstance(v, str): return v
    if isinstance(v, int): return {"int": str(v)}
    if isinstance(v, float): return {"float": repr(v)}
    if isinstance(v, bytes): return {"bytes": v.hex()}
    if isinstance(v, dict): return {"dict": [[t(k), t(x)] for k, x in v.items()]}
    if isinstance(v, list): return {"list": [t(x) for x in v]}
    if isinstance(v, tuple): return {"tuple": [t(x) for x in v]}
print(json.dumps(t(pickle.loads(sys.stdin.buffer.read()))))`,
    pickle,
  );
  assert.deepEqual(fromPython, expected);
});
