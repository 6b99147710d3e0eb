import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Tensor, manifestTree, renderManifest, parsePythonJson, type PyMap, type Node } from "../src/index.js";
import { sampleTree } from "./helpers/sample-tree.js";

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

test("manifest of every node kind", async () => {
  const tree = await manifestTree(sampleTree());
  const text = renderManifest({ format: "toy", codec: null, tree });
  const doc = parsePythonJson(text) as PyMap;
  const m = doc.get("tree") as PyMap;

  const scalars = m.get("scalars") as PyMap;
  assert.equal(scalars.get("int_one"), 1n, "int stays int");
  assert.equal(scalars.get("float_one"), 1, "float stays float");
  assert.equal(typeof scalars.get("float_one"), "number");
  assert.match(text, /"float_one": 1\.0,/, "a float always shows a dot");
  assert.match(text, /"int_one": 1,/);
  assert.equal(scalars.get("big"), 2n ** 62n + 1n, "ints past 2^53 exact");
  assert.match(text, /"huge": 1000000000000000000000000000000,/);
  assert.deepEqual(scalars.get("nan"), new Map([["$float", "nan"]]));
  assert.deepEqual(scalars.get("inf"), new Map([["$float", "inf"]]));
  assert.deepEqual(scalars.get("ninf"), new Map([["$float", "-inf"]]));
  assert.match(text, /"tiny": 1e-300,/);
  assert.equal(scalars.get("none"), null);
  assert.equal(scalars.get("yes"), true);

  assert.deepEqual(m.get("tuple"), [1n, 2, "three", null, true], "tuple → array");
  const keys = m.get("keys") as PyMap;
  assert.deepEqual([...keys.keys()], ["3", "1.5", "True", "None", "(1, 'a')"], "non-string keys as Python str(key)");
  assert.equal((m.get("object") as PyMap).get("$object"), "mymod.Config");

  const weights = ((m.get("regions") as PyMap).get("cortex") as PyMap).get("weights") as PyMap;
  const expectedBytes = new Uint8Array(new Float32Array([1, -2.5, 0, 3.25, -0, 7]).buffer);
  assert.deepEqual(weights.get("$tensor"), new Map<string, Node>([["dtype", "f32"], ["shape", [2n, 3n]], ["sha256", sha(expectedBytes)]]));
  const empty = (m.get("list") as Node[])[2] as PyMap;
  assert.equal((empty.get("$tensor") as PyMap).get("sha256"), sha(new Uint8Array()));
  assert.equal(doc.get("format"), "toy");
  assert.equal(doc.get("codec"), null);
});

test("a tensor's hash covers its bytes exactly (bool as 0/1 bytes)", async () => {
  const bools = Tensor.fromBytes("bool", [4], new Uint8Array([1, 0, 0, 1]));
  const tree = (await manifestTree(new Map([["b", bools]]))) as PyMap;
  const entry = (tree.get("b") as PyMap).get("$tensor") as PyMap;
  assert.equal(entry.get("sha256"), sha(new Uint8Array([1, 0, 0, 1])));
});

test("a deep tree does not overflow the stack", async () => {
  let node: Node = 1n;
  for (let i = 0; i < 100_000; i++) node = [node];
  const tree = await manifestTree(new Map([["deep", node]]));
  assert.ok(tree instanceof Map);
});

test("a tensor whose source does not match its shape is refused", () => {
  assert.throws(() => Tensor.fromBytes("f32", [3], new Uint8Array(8)), /needs 12 bytes/);
});
