import { test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, type Node } from "@ckpt/core";
import safetensors from "../src/index.js";
import { renderHeader } from "../src/header/render.js";
import { encodeToBuffer, headerOf } from "./helpers.js";

const f32 = (shape: number[]) => Tensor.fromBytes("f32", shape, new Uint8Array(4 * shape.reduce((a, b) => a * b, 1)).map((_, i) => i));
const flat = (entries: [string, Node][]) => ({ root: new Map<string, Node>(entries) });

test("reference vector: an empty tree is N = 8, `{}` and 6 spaces, nothing else", async () => {
  const bytes = await encodeToBuffer(flat([]));
  assert.deepEqual([...bytes.subarray(0, 8)], [8, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(bytes.subarray(8).toString("latin1"), "{}      ");
  assert.equal(bytes.byteLength, 16);
});

// The reference's own vectors (safetensors/src/tensor.rs: test_empty, test_serialization,
// test_serialization_forced_alignement). The last one uses shape [1, 1, 2, 3]: its longer
// shape text is what makes the header 65 bytes and so N = 72.
const F32_DATA = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer);
const REFERENCE_ATTN_0 = [
  64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
  116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
  58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
  101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
  0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
];

test("reference vector: one F32 tensor attn.0 of shape [1,2,3] is N = 64 with 24 data bytes, byte for byte", async () => {
  const bytes = await encodeToBuffer(flat([["attn.0", Tensor.fromBytes("f32", [1, 2, 3], F32_DATA)]]));
  assert.equal(headerOf(bytes).n, 64);
  assert.equal(bytes.byteLength - 8 - 64, 24);
  assert.deepEqual([...bytes], REFERENCE_ATTN_0);
});

test("reference vector: attn0 of shape [1,1,2,3] is N = 72 (65 header bytes padded with 7 spaces)", async () => {
  const bytes = await encodeToBuffer(flat([["attn0", Tensor.fromBytes("f32", [1, 1, 2, 3], F32_DATA)]]));
  const { n } = headerOf(bytes);
  assert.equal(n, 72);
  assert.equal(bytes.subarray(8, 8 + n).toString("utf8"), `{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}${" ".repeat(7)}`);
  assert.deepEqual(bytes.subarray(8 + n), Buffer.from(F32_DATA));
});

test("padding: attn0 of shape [1,2,3] is 63 header bytes, so N = 64 with one space", async () => {
  const bytes = await encodeToBuffer(flat([["attn0", f32([1, 2, 3])]]));
  const { n } = headerOf(bytes);
  assert.equal(n, 64);
  assert.equal(bytes.subarray(8, 8 + n).toString("utf8"), '{"attn0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}} ');
});

test("reference vector: metadata {framework: pt} with no tensors is N = 40", async () => {
  const bytes = Buffer.from(renderHeader(new Map([["framework", "pt"]]), []));
  assert.deepEqual([...bytes], [
    40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
    95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
    116, 34, 125, 125, 32, 32, 32, 32, 32,
  ]);
});

test("storage order: dtype rank first, then names in UTF-8 byte order (not UTF-16 order)", async () => {
  const u8 = (v: number) => Tensor.fromBytes("u8", [1], new Uint8Array([v]));
  const i64 = Tensor.fromBytes("i64", [1], new Uint8Array(8));
  // "\uffff" (EF BF BF) sorts before "\u{10000}" (F0 90 80 80) in UTF-8; UTF-16 puts the surrogate pair first.
  const bytes = await encodeToBuffer(flat([["b", u8(1)], ["\u{10000}", u8(2)], ["\uffff", u8(3)], ["a", u8(4)], ["z", i64], ["t", Tensor.fromBytes("bool", [1], new Uint8Array([1]))]]));
  const { n, json } = headerOf(bytes);
  assert.deepEqual([...json.keys()], ["z", "a", "b", "\uffff", "\u{10000}", "t"]);
  assert.deepEqual([...bytes.subarray(8 + n + 8)], [4, 1, 3, 2, 1]);
});

test("header rendering escapes as serde_json does and keeps non-ASCII as UTF-8", () => {
  const header = renderHeader(new Map([["k\"\\", "line\nend\u0001é"]]), [{ name: "tab\there", dtype: "U8", shape: [], begin: 0, end: 1 }]);
  const text = Buffer.from(header).subarray(8).toString("utf8").trimEnd();
  assert.equal(text, '{"__metadata__":{"k\\"\\\\":"line\\nend\\u0001é"},"tab\\there":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}');
  assert.equal((header.byteLength - 8) % 8, 0);
});

test("encodedSize is the exact length encode produces", async () => {
  const checkpoint = { root: new Map<string, Node>([["regions", new Map<string, Node>([["w", f32([3, 5])], ["n", 3n]])], ["metadata", new Map([["epoch", "7"]])]]) };
  const output = { name: "x.safetensors", options: {}, reporter: { progress() {}, warn() {}, lossy() {} } };
  const size = await safetensors.encodedSize!(checkpoint, output);
  assert.equal(size, (await encodeToBuffer(checkpoint)).byteLength);
});
