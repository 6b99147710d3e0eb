import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Tensor} from "@ckpt/core";
import { ComputedSource, FileRangeSource, dumpPythonJson, manifestTree, parsePythonJson, type Node, type PyMap } from "@ckpt/core";
import { loadTorchPickle } from "../src/torch/index.js";
import { openTorchZip } from "./helpers/zip.js";
import { FIXTURES } from "./helpers/fixtures.js";

const REF = `${FIXTURES}/reference`;
const files = existsSync(REF) ? readdirSync(REF).filter((f) => /\.torch(113|26)\.(pt|ckpt)$/.test(f)) : [];

/** A manifest tree as canonical text: keys sorted, so key order does not matter. */
function canonical(node: Node): string {
  const sort = (value: Node): Node => {
    if (value instanceof Map) return new Map([...value].sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)).map(([k, v]) => [k, sort(v)]));
    if (Array.isArray(value)) return value.map(sort);
    return value;
  };
  return dumpPythonJson(sort(node), 1);
}

async function load(file: string): Promise<{ root: Node; loaded: string[] }> {
  const zip = await openTorchZip(join(REF, file));
  const root = loadTorchPickle(zip.pickle, { storage: zip.storage, fileName: file });
  // Hashing reads the lazy sources, so the file stays open until the manifest is built.
  const tree = await manifestTree(root);
  await zip.close();
  return { root: tree, loaded: zip.loaded };
}

test("reference torch fixtures exist", () => {
  assert.ok(files.length >= 6, files.join(", "));
});

for (const file of files) {
  test(`${file}: data.pkl loads and its manifest equals the expected tree`, async () => {
    const { root } = await load(file);
    const expected = (parsePythonJson(readFileSync(join(REF, `${file}.expect.json`), "utf8")) as PyMap).get("tree")!;
    assert.equal(canonical(root), canonical(expected));
  });
}

for (const version of ["torch26", "torch113"]) {
  test(`edge_cases.${version}.pt: views stay lazy, non-contiguous views are computed, Parameter marked`, async () => {
    const zip = await openTorchZip(join(REF, `edge_cases.${version}.pt`));
    try {
      const root = loadTorchPickle(zip.pickle, { storage: zip.storage }) as PyMap;
      const get = (key: string) => root.get(key) as Tensor;
      // view_row, view_col, base and transposed share storage 0, which is opened once.
      assert.equal(zip.loaded.filter((key) => key === "0").length, 1);
      for (const key of ["view_row", "base", "bf16", "scalar"]) {
        assert.ok(get(key).source instanceof FileRangeSource, `${key} is a file range`);
      }
      assert.equal((get("view_row").source as FileRangeSource).byteLength, 6 * 4);
      for (const key of ["view_col", "transposed"]) assert.ok(get(key).source instanceof ComputedSource, `${key} is computed`);
      assert.deepEqual(get("param").attrs, { parameter: true, requiresGrad: true });
      assert.deepEqual(get("base").attrs, {});
      assert.deepEqual(get("scalar").shape, []);
      assert.deepEqual(get("empty").shape, [0, 4]);
      // The transposed view: element [i][j] of the 6×4 result is base[j][i].
      const base = new Float32Array((await get("base").source.read()).slice().buffer);
      const t = new Float32Array((await get("transposed").source.read()).slice().buffer);
      for (let i = 0; i < 6; i++) for (let j = 0; j < 4; j++) assert.equal(t[i * 4 + j], base[j * 6 + i]);
      const nested = root.get("nested") as PyMap;
      assert.equal(nested.get("big_int"), 2n ** 62n);
      assert.equal(nested.get("float_int"), 1);
    } finally {
      await zip.close();
    }
  });
}
