import { test } from "node:test";
import assert from "node:assert/strict";
import type { CkptError} from "@ckpt/core";
import { OpaqueObject, OrderedMap, Tuple, type Node } from "@ckpt/core";
import { PYTHON_GLOBALS, loadPickle } from "../src/index.js";
import { PY_PRELUDE, python, torchMissing } from "./helpers/python.js";
import { tag, type Tagged } from "./helpers/tag.js";

const load = (bytes: Uint8Array, allowGlobals: string[] = []) => loadPickle(bytes, { globals: PYTHON_GLOBALS, allowGlobals });

interface Case {
  name: string;
  protocol: number;
  hex: string;
  expected: Tagged;
}

// Values of every kind, pickled by CPython at every protocol.
const CASES_SCRIPT = PY_PRELUDE + String.raw`
values = {
  "zero": 0, "one": 1, "minus_one": -1, "byte": 255, "byte_plus": 256, "u16": 65535, "u16_plus": 65536,
  "i32_max": 2**31 - 1, "i32_min": -2**31, "i32_past": 2**31, "two_62": 2**62, "minus_two_62": -2**62,
  "two_63": 2**63, "ten_30": 10**30, "minus_ten_30": -10**30, "two_2100": 2**2100, "minus_two_2100": -(2**2100),
  "f_zero": 0.0, "f_neg_zero": -0.0, "f_one": 1.0, "f_half": 1.5, "f_tiny": 1e-300, "f_big": 1.7976931348623157e308,
  "f_third": 1/3, "nan": float("nan"), "inf": float("inf"), "ninf": float("-inf"),
  "true": True, "false": False, "none": None,
  "empty_str": "", "ascii": "abc", "unicode": "Δ-θ ok € 😀", "escapes": "a\\u005c\\b\n\r\x1a\x00\t'\"",
  "lone_surrogate": "x\ud800y", "long_str": "é" * 300,
  "empty_bytes": b"", "bytes": b"\x00\x01\xff\x80", "long_bytes": bytes(range(256)) * 2,
  "bytearray": bytearray(b"x\x00y"), "empty_bytearray": bytearray(),
  "empty_tuple": (), "tuple1": (1,), "tuple2": (1, "a"), "tuple3": (1, 2.0, None), "tuple5": (1, 2, 3, 4, (5,)),
  "empty_list": [], "nested_list": [1, [2, [3, []]], "x"], "big_list": list(range(2500)),
  "empty_dict": {}, "dict_keys": {"a": 1, 2: "b", (1, "x"): None, None: 3, 1.5: [2], False: 0, -7: {}},
  "nested_dict": {"outer": {"inner": {"deep": [1, {"k": (2, 3)}]}}},
  "big_dict": {i: str(i) for i in range(2500)},
  "set": {1, 2, 3}, "empty_set": set(), "frozenset": frozenset(["a", "b"]), "big_set": set(range(1200)),
  "complex": complex(1.5, -2.0),
  "odict": collections.OrderedDict([("z", 1), ("a", [2])]),
  "counter": collections.Counter("abracadabra"),
}
cases = []
for name, value in values.items():
    expected = tag(value)
    if name == "counter": expected = {"dict": expected["dict"]}
    for protocol in range(6):
        cases.append({"name": name, "protocol": protocol, "hex": pickle.dumps(value, protocol=protocol).hex(), "expected": expected})
json.dump(cases, sys.stdout)
`;

test("every value kind at protocols 0–5 reads as CPython wrote it", { skip: torchMissing() }, async () => {
  const cases = python<Case[]>(CASES_SCRIPT);
  assert.ok(cases.length > 300);
  const failures: string[] = [];
  for (const c of cases) {
    try {
      const got = await tag(load(Buffer.from(c.hex, "hex")));
      assert.deepEqual(got, c.expected);
    } catch (error) {
      failures.push(`${c.name} (protocol ${c.protocol}): ${(error as Error).message.split("\n")[0]}`);
    }
  }
  assert.deepEqual(failures, []);
});

test("ints are exact bigints, floats stay floats", () => {
  assert.equal(load(Buffer.from("80028a0800000000000000402e", "hex")), 2n ** 62n, "LONG1");
  assert.equal(load(Buffer.from("80028a0800000000000000c02e", "hex")), -(2n ** 62n), "negative LONG1");
  assert.equal(load(Buffer.from("L1000000000000000000000000000000L\n.", "latin1")), 10n ** 30n, "text LONG");
  assert.equal(load(Buffer.from("I01\n.", "latin1")), true, "protocol-0 bool");
  const one = load(Buffer.from("8002473ff00000000000002e", "hex"));
  assert.equal(one, 1);
  assert.equal(typeof one, "number");
  assert.ok(Object.is(load(Buffer.from("F-0.0\n.", "latin1")), -0));
});

test("memo references stay shared, never copied", { skip: torchMissing() }, () => {
  const hex = python<string>(`import pickle, json; a = [1]; d = {"k": a}; print(json.dumps(pickle.dumps([a, a, d, d], 2).hex()))`);
  const root = load(Buffer.from(hex, "hex")) as Node[];
  assert.equal(root[0], root[1]);
  assert.equal(root[2], root[3]);
  assert.equal((root[2] as Map<string, Node>).get("k"), root[0]);
});

test("a container that contains itself is refused", { skip: torchMissing() }, () => {
  const hex = python<string>(`import pickle, json; a = []; a.append(a); print(json.dumps(pickle.dumps(a, 2).hex()))`);
  assert.throws(() => load(Buffer.from(hex, "hex")), (e: CkptError) => e.code === "UNSUPPORTED" && /contains itself/.test(e.message));
});

test("OrderedDict keeps its class and BUILD attributes", () => {
  // OrderedDict() REDUCE, items, then BUILD {'_metadata': {'': {'version': 1}}} as nn.Module.state_dict writes it
  const bytes = Buffer.concat([
    Buffer.from("\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01X\x01\x00\x00\x00aK\x01s}X\t\x00\x00\x00_metadata}X\x00\x00\x00\x00}X\x07\x00\x00\x00versionK\x01sssb.", "latin1"),
  ]);
  const root = load(bytes) as OrderedMap;
  assert.ok(root instanceof OrderedMap);
  assert.deepEqual([...root], [["a", 1n]]);
  assert.deepEqual(root.attributes, new Map([["_metadata", new Map([["", new Map([["version", 1n]])]])]]));
});

test("allowed globals become opaque objects, kept as data with their variant", { skip: torchMissing() }, async () => {
  const script = String.raw`
import pickle, json, enum, sys
class Point:
    def __init__(self, x, y): self.x, self.y = x, y
class Color(enum.Enum):
    RED = 1
out = {}
for p in range(6):
    out[str(p)] = [pickle.dumps(Point(1, [2]), protocol=p).hex(), pickle.dumps(Color.RED, protocol=p).hex()]
json.dump(out, sys.stdout)
`;
  const pickles = python<Record<string, [string, string]>>(script);
  for (const [protocol, [point, color]] of Object.entries(pickles)) {
    const obj = load(Buffer.from(point, "hex"), ["__main__.Point"]);
    assert.ok(obj instanceof OpaqueObject, `protocol ${protocol}`);
    assert.equal(obj.className, "__main__.Point");
    assert.equal(obj.variant, "newobj");
    assert.deepEqual(obj.args, []);
    assert.deepEqual(await tag(obj.state!), { dict: [["x", { int: "1" }], ["y", { list: [{ int: "2" }] }]] });
    // Enum members pickle as getattr(Color, "RED"): getattr is refused unless allowed, and then only kept as data.
    assert.throws(() => load(Buffer.from(color, "hex"), ["__main__.Color"]), (e: CkptError) => e.code === "UNSAFE" && /getattr/.test(e.message));
    const red = load(Buffer.from(color, "hex"), ["builtins.getattr", "__main__.Color"]) as OpaqueObject;
    assert.deepEqual(red, new OpaqueObject("builtins.getattr", [new OpaqueObject("__main__.Color", [], undefined, "global"), "RED"], undefined, "reduce"));
    assert.throws(() => load(Buffer.from(point, "hex")), (e: CkptError) => e.code === "UNSAFE" && e.message.includes("__main__.Point"));
  }
});

test("sets and frozensets become opaque builtins.set / builtins.frozenset with an item list", () => {
  const fromReduce = load(Buffer.from("\x80\x02c__builtin__\nset\n]q\x00(K\x01K\x02e\x85R.", "latin1")) as OpaqueObject;
  assert.deepEqual([fromReduce.className, fromReduce.args, fromReduce.variant], ["builtins.set", [[1n, 2n]], "reduce"]);
  const fromOpcodes = load(Buffer.from("\x80\x04\x8f(K\x01K\x02\x90.", "latin1")) as OpaqueObject;
  assert.deepEqual(fromOpcodes.args, [[1n, 2n]]);
  const frozen = load(Buffer.from("\x80\x04(K\x03\x91.", "latin1")) as OpaqueObject;
  assert.deepEqual([frozen.className, frozen.args], ["builtins.frozenset", [[3n]]]);
  assert.ok(load(Buffer.from("\x80\x02)\x85.", "latin1")) instanceof Tuple);
});
