import { test } from "node:test";
import assert from "node:assert/strict";
import { Tuple, dumpPythonJson, parsePythonJson, pyFloatRepr, pyRepr, type Node, type PyMap } from "../src/index.js";

test("integers stay exact bigints and apart from floats", () => {
  const value = parsePythonJson('{"a": 1, "b": 1.0, "c": 9007199254740993, "d": -0.5e-3, "e": 1E2}') as PyMap;
  assert.equal(value.get("a"), 1n);
  assert.equal(value.get("b"), 1);
  assert.equal(typeof value.get("b"), "number");
  assert.equal(value.get("c"), 9007199254740993n);
  assert.equal(value.get("d"), -0.0005);
  assert.equal(value.get("e"), 100);
});

test("Python's NaN, Infinity and -Infinity are accepted and written back", () => {
  const value = parsePythonJson("[NaN, Infinity, -Infinity]") as number[];
  assert.ok(Number.isNaN(value[0]));
  assert.equal(value[1], Infinity);
  assert.equal(value[2], -Infinity);
  assert.equal(dumpPythonJson(value), "[NaN, Infinity, -Infinity]");
});

test("malformed JSON fails with a position, deep nesting fails cleanly", () => {
  assert.throws(() => parsePythonJson('{"a": }'), /invalid JSON at character 6/);
  assert.throws(() => parsePythonJson("[1, 2"), /invalid JSON/);
  assert.throws(() => parsePythonJson("[1] x"), /unexpected data/);
  assert.throws(() => parsePythonJson("[".repeat(100_000)), /nested deeper/);
});

test("json.dumps(indent=2) layout, ASCII escapes and float repr match Python", () => {
  const tree: PyMap = new Map<string, Node>([
    ["name", "Δ\"x\"\n\u007f😀"],
    ["empty", new Map()],
    ["list", [1n, 2.5, 1e-5, 1e16, null, true, []]],
    ["tuple", new Tuple([0.1])],
  ]);
  const expected = [
    "{",
    '  "name": "\\u0394\\"x\\"\\n\\u007f\\ud83d\\ude00",',
    '  "empty": {},',
    '  "list": [',
    "    1,",
    "    2.5,",
    "    1e-05,",
    "    1e+16,",
    "    null,",
    "    true,",
    "    []",
    "  ],",
    '  "tuple": [',
    "    0.1",
    "  ]",
    "}",
  ].join("\n");
  assert.equal(dumpPythonJson(tree, 2), expected);
});

test("float repr follows Python's rules", () => {
  const cases: [number, string][] = [
    [1, "1.0"], [0.42, "0.42"], [1e-300, "1e-300"], [1e-5, "1e-05"], [0.0001, "0.0001"],
    [1e16, "1e+16"], [123456789012345680, "1.2345678901234568e+17"], [1e15, "1000000000000000.0"],
    [-0, "-0.0"], [2.5e-7, "2.5e-07"], [NaN, "nan"], [-Infinity, "-inf"], [1234.5, "1234.5"],
  ];
  for (const [value, text] of cases) assert.equal(pyFloatRepr(value), text, String(value));
});

test("repr of keys as Python's str() shows them", () => {
  assert.equal(pyRepr(null), "None");
  assert.equal(pyRepr(true), "True");
  assert.equal(pyRepr(new Tuple([1n, "a"])), "(1, 'a')");
  assert.equal(pyRepr(new Tuple([1n])), "(1,)");
});
