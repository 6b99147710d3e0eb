import { test } from "node:test";
import assert from "node:assert/strict";
import { compareManifestTrees, parsePythonJson } from "../src/index.js";

test("equal trees in another key order compare equal", () => {
  assert.deepEqual(compareManifestTrees(parsePythonJson('{"a": 1, "b": [1.0, {"c": null}]}'), parsePythonJson('{"b": [1.0, {"c": null}], "a": 1}')), []);
});

test("int vs float, missing keys, lengths and values are reported with their paths", () => {
  const a = parsePythonJson('{"a": 1, "b": [1, 2], "c": {"d": "x"}, "only_a": 0}');
  const b = parsePythonJson('{"a": 1.0, "b": [1], "c": {"d": "y"}, "only_b": 0}');
  const diff = compareManifestTrees(a, b);
  assert.deepEqual(diff.sort(), ["a: 1 ≠ 1.0", "b: 2 items ≠ 1 items", 'c.d: "x" ≠ "y"', "only_a: only in the first", "only_b: only in the second"].sort());
});
