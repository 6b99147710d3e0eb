import { test } from "node:test";
import assert from "node:assert/strict";
import {
  OpaqueObject, Tensor, Tuple, compareTensors, diffTrees, f32ToF16, pyMap, type Difference, type DType, type Key, type Node,
} from "../src/index.js";
import { sampleTree } from "./helpers/sample-tree.js";

const bytesOf = (view: ArrayBufferView) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
const f32 = (values: number[], shape = [values.length]) => Tensor.fromBytes("f32", shape, bytesOf(new Float32Array(values)));
const f64 = (values: number[]) => Tensor.fromBytes("f64", [values.length], bytesOf(new Float64Array(values)));
const f16 = (values: number[]) => Tensor.fromBytes("f16", [values.length], bytesOf(f32ToF16(new Float32Array(values))));
const i64 = (values: bigint[]) => Tensor.fromBytes("i64", [values.length], bytesOf(new BigInt64Array(values)));
const i32 = (values: number[]) => Tensor.fromBytes("i32", [values.length], bytesOf(new Int32Array(values)));
const raw = (dtype: DType, shape: number[], bytes: number[]) => Tensor.fromBytes(dtype, shape, new Uint8Array(bytes));

test("f16 and f32 of the same values compare equal after widening; bytes of one dtype are compared too", async () => {
  const values = [0, 1, -2.5, 0.5, 65504, -0.000030517578125, 1024];
  const result = await compareTensors(f16(values), f32(values));
  assert.deepEqual(result, { values: 7, differing: 0, maxAbsError: 0, maxRelError: 0, nonFinite: 0, bytesEqual: null, bitsDiffering: null, first: null });
  assert.equal((await compareTensors(f32(values), f32(values))).bytesEqual, true);
  // A value f16 cannot hold is a difference, with its rounding error measured.
  const inexact = await compareTensors(f16([0.1, 1]), f32([0.1, 1]));
  assert.equal(inexact.differing, 1);
  assert.equal(inexact.first?.index, 0);
  assert.ok(inexact.maxAbsError > 0 && inexact.maxAbsError < 1e-4, String(inexact.maxAbsError));
  assert.ok(inexact.maxRelError > 0 && inexact.maxRelError <= 2 ** -11, String(inexact.maxRelError));
});

test("a single changed element is found with its index and exact errors, across block boundaries", async () => {
  const n = 10_000;
  const a = Array.from({ length: n }, (_, i) => i * 0.25);
  const b = [...a];
  b[7777] = a[7777]! + 3; // 1944.25 → 1947.25
  for (const block of [1, 7, 64, 1 << 16]) {
    const result = await compareTensors(f64(a), f64(b), block);
    assert.equal(result.differing, 1, `block ${block}`);
    assert.deepEqual(result.first, { index: 7777, a: 1944.25, b: 1947.25 });
    assert.equal(result.maxAbsError, 3);
    assert.equal(result.maxRelError, 3 / 1947.25);
    assert.equal(result.bytesEqual, false);
  }
});

test("NaN equals NaN, NaN or ±Inf against a number is a (non-finite) difference, ±Inf equals only itself, -0 equals 0 by value", async () => {
  const same = await compareTensors(f32([NaN, Infinity, -Infinity]), f64([NaN, Infinity, -Infinity]));
  assert.equal(same.differing, 0);
  const other = await compareTensors(f32([NaN, 1, Infinity, Infinity, 5]), f32([1, NaN, -Infinity, 3, 4]));
  assert.equal(other.differing, 5);
  assert.equal(other.nonFinite, 4);
  assert.equal(other.maxAbsError, 1); // only the finite pair 5 vs 4 counts
  assert.equal(other.maxRelError, 0.2);
  const zeros = await compareTensors(f32([0]), f32([-0]));
  assert.equal(zeros.differing, 0);
  assert.equal(zeros.bytesEqual, false, "the bit patterns differ, and same-dtype comparison says so");
  assert.equal(zeros.bitsDiffering, 1);
  const mixed = await compareTensors(f32([0, 1, 2, NaN, 4]), raw("f32", [5], [0, 0, 0, 0x80, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 1, 0, 0xc0, 0x7f, 0, 0, 0x80, 0x41]));
  assert.deepEqual([mixed.differing, mixed.bitsDiffering], [1, 3], "-0, a NaN payload and 4 → 16");
});

test("integers are exact: 64-bit values past 2^53 that one double would merge still differ", async () => {
  const big = 2n ** 60n;
  const result = await compareTensors(i64([big, 5n]), i64([big + 1n, 5n]));
  assert.equal(result.differing, 1);
  assert.deepEqual(result.first, { index: 0, a: big.toString(), b: (big + 1n).toString() });
  assert.equal(result.maxAbsError, 1);
  // Mixed integer widths compare by value.
  assert.equal((await compareTensors(i64([1n, -2n, 3n]), i32([1, -2, 3]))).differing, 0);
  assert.equal((await compareTensors(i64([1n, -2n, 3n]), i32([1, -2, 4]))).differing, 1);
  // bool as 0/1, u8 and i8 read with their own signs
  assert.equal((await compareTensors(raw("bool", [3], [1, 0, 1]), raw("u8", [3], [1, 0, 1]))).differing, 0);
  assert.equal((await compareTensors(raw("i8", [1], [0xff]), raw("u8", [1], [0xff]))).differing, 1);
});

test("bf16, f8 and complex dtypes are widened correctly", async () => {
  // bf16 0x3fc0 = 1.5, 0xc000 = -2; f8_e4m3 0x38 = 1.0, 0x7e = 448; f8_e5m2 0x3c = 1.0
  assert.equal((await compareTensors(raw("bf16", [2], [0xc0, 0x3f, 0x00, 0xc0]), f32([1.5, -2]))).differing, 0);
  assert.equal((await compareTensors(raw("f8_e4m3", [2], [0x38, 0x7e]), f32([1, 448]))).differing, 0);
  assert.equal((await compareTensors(raw("f8_e5m2", [1], [0x3c]), f32([1]))).differing, 0);
  const c64 = Tensor.fromBytes("c64", [2], bytesOf(new Float32Array([1, 2, 3, 4])));
  const c128 = Tensor.fromBytes("c128", [2], bytesOf(new Float64Array([1, 2, 3, 4.5])));
  const result = await compareTensors(c64, c128);
  assert.equal(result.values, 4);
  assert.equal(result.differing, 1);
  assert.equal(result.first?.index, 3);
});

test("a tree compared with itself (every node kind) has no differences", async () => {
  const result = await diffTrees(sampleTree(), sampleTree());
  assert.deepEqual(result.differences, []);
  assert.equal(result.tensorsCompared, 4);
});

const kinds = (ds: Difference[]) => ds.map((d) => [d.kind, d.path]);

test("tree diff reports every kind of difference at its path, and only those", async () => {
  const a = sampleTree();
  const b = sampleTree();
  const scalars = b.get("scalars") as Map<Key, Node>;
  scalars.set("int_one", 1.0); // int 1 vs float 1.0
  scalars.set("tiny", 2e-300);
  scalars.set("none", false);
  scalars.set("bytes", new Uint8Array([0, 254]));
  scalars.delete("yes");
  scalars.set("extra", "new");
  b.set("tuple", [1n, 2.0, "three", null, true]); // tuple vs list
  (b.get("list") as Node[]).push("more");
  const keys = b.get("keys") as Map<Key, Node>;
  keys.delete(3n);
  keys.set("3", "int key"); // a string key is another key than the int 3
  const cortex = (b.get("regions") as Map<Key, Node>).get("cortex") as Map<Key, Node>;
  cortex.set("weights", f32([1, -2.5, 0, 3.25, -0, 7.5], [2, 3]));
  cortex.set("spikes", raw("u8", [3], [1, 0, 1]));
  cortex.set("steps", raw("i64", [1], [5, 0, 0, 0, 0, 0, 0, 0]));
  b.set("object", new OpaqueObject("mymod.Other", ["x", 2n]));
  const result = await diffTrees(a, b);
  assert.deepEqual(kinds(result.differences), [
    ["dtype", "regions.cortex.spikes"],
    ["shape", "regions.cortex.steps"],
    ["tensor-values", "regions.cortex.weights"],
    ["only-in-a", "scalars.yes"],
    ["only-in-b", "scalars.extra"],
    ["kind", "scalars.int_one"],
    ["value", "scalars.tiny"],
    ["kind", "scalars.none"],
    ["value", "scalars.bytes"],
    ["kind", "tuple"],
    ["only-in-b", "list.3"],
    ["only-in-a", "keys.3"],
    ["only-in-b", "keys.3"],
    ["value", "object"],
  ].sort(byPathOrder(kinds(result.differences))));
  const byPath = new Map(result.differences.map((d) => [`${d.kind} ${d.path}`, d]));
  assert.deepEqual(byPath.get("kind scalars.int_one"), { kind: "kind", path: "scalars.int_one", a: "int", b: "float" });
  assert.deepEqual(byPath.get("value scalars.tiny"), { kind: "value", path: "scalars.tiny", a: "1e-300", b: "2e-300" });
  assert.deepEqual(byPath.get("kind tuple"), { kind: "kind", path: "tuple", a: "tuple", b: "list" });
  const weights = byPath.get("tensor-values regions.cortex.weights");
  assert.ok(weights?.kind === "tensor-values");
  assert.equal(weights.values.differing, 1);
  assert.equal(weights.values.maxAbsError, 0.5);
  const spikes = byPath.get("dtype regions.cortex.spikes");
  assert.ok(spikes?.kind === "dtype");
  assert.deepEqual([spikes.a, spikes.b, spikes.values?.differing], ["bool", "u8", 0]);
  assert.equal(byPath.get("only-in-a scalars.yes")?.kind === "only-in-a" && (byPath.get("only-in-a scalars.yes") as { summary: string }).summary, "True");
});

/** Orders `expected` like `actual` where both have the entry, so the assertion checks the set and shows missing ones. */
function byPathOrder(actual: (string | number)[][]) {
  const at = (entry: (string | number)[]) => {
    const i = actual.findIndex((x) => x[0] === entry[0] && x[1] === entry[1]);
    return i < 0 ? Infinity : i;
  };
  return (x: (string | number)[], y: (string | number)[]) => at(x) - at(y);
}

test("nested differences and key kinds: 1, 1.0, '1' and True are different keys; NaN scalars are equal, -0.0 and 0.0 are not", async () => {
  const a = pyMap({ m: new Map<Key, Node>([[1n, "a"], [1.5, "b"], [true, "c"]]), x: NaN, z: 0.0, t: new Tuple([pyMap({ deep: 1n })]) });
  const b = pyMap({ m: new Map<Key, Node>([[1.0, "a"], [1.5, "b"], [true, "c"]]), x: NaN, z: -0.0, t: new Tuple([pyMap({ deep: 2n })]) });
  const result = await diffTrees(a, b);
  assert.deepEqual(kinds(result.differences), [["only-in-a", "m.1"], ["only-in-b", "m.1.0"], ["value", "z"], ["value", "t.0.deep"]]);
  assert.deepEqual(result.differences[3], { kind: "value", path: "t.0.deep", a: "1", b: "2" });
  // map order is not content
  const c = await diffTrees(pyMap({ p: 1n, q: 2n }), pyMap({ q: 2n, p: 1n }));
  assert.deepEqual(c.differences, []);
});
