import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpaqueObject, Tensor, Tuple, type EncodeOutput, type Key, type Node, type PyMap } from "@ckpt/core";
import thalia from "../src/index.js";

export const bytesOf = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
export const output = (name: string, options: Record<string, unknown> = {}): EncodeOutput => ({ name, options, reporter: { progress() {}, warn() {}, lossy() {} } });

/** Writes `root` with the Thalia writer to `state.thalia` in `dir` (a new temp folder by default). */
export async function write(root: PyMap, options: Record<string, unknown> = {}, dir = mkdtempSync(join(tmpdir(), "ckpt-thalia-rt-"))): Promise<string> {
  const path = join(dir, "state.thalia");
  const chunks: Uint8Array[] = [];
  for await (const chunk of thalia.encode({ root }, output(path, options))) chunks.push(chunk);
  writeFileSync(path, Buffer.concat(chunks));
  return path;
}

/** A state with everything the container lacks natively. */
export function awkwardState(): PyMap {
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

