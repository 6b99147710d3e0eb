import { OpaqueObject, Tensor, Tuple, pyMap, type Key, type Node, type PyMap } from "../../src/index.js";

/** A tree with every node kind of model.md §1, for round-trip and manifest tests. */
export function sampleTree(): PyMap {
  const f32 = new Float32Array([1, -2.5, 0, 3.25, -0, 7]);
  return pyMap({
    metadata: pyMap({ epoch: 7n, loss: 0.42, note: "Δ-θ ok" }),
    regions: pyMap({
      cortex: pyMap({
        weights: Tensor.fromBytes("f32", [2, 3], new Uint8Array(f32.buffer)),
        spikes: Tensor.fromBytes("bool", [3], new Uint8Array([1, 0, 1])),
        steps: Tensor.fromBytes("i64", [], new Uint8Array(new BigInt64Array([5n]).buffer)),
      }),
    }),
    scalars: pyMap({
      int_one: 1n,
      float_one: 1.0,
      big: 2n ** 62n + 1n,
      huge: 10n ** 30n,
      nan: NaN,
      inf: Infinity,
      ninf: -Infinity,
      tiny: 1e-300,
      none: null,
      yes: true,
      bytes: new Uint8Array([0, 255]),
    }),
    tuple: new Tuple([1n, 2.0, "three", null, true]),
    list: [1n, [2n, [3n]], Tensor.fromBytes("f32", [0, 4], new Uint8Array())],
    keys: new Map<Key, Node>([
      [3n, "int key"],
      [1.5, "float key"],
      [true, "bool key"],
      [null, "none key"],
      [new Tuple([1n, "a"]), "tuple key"],
    ]),
    object: new OpaqueObject("mymod.Config", ["x", 2n]),
  });
}
