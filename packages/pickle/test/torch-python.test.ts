import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Tensor} from "@ckpt/core";
import { ComputedSource, OpaqueObject, Tuple, type Node, type PyMap } from "@ckpt/core";
import { isLegacyTorch, loadLegacyTorch, loadTorchPickle } from "../src/torch/index.js";
import { PY_PRELUDE, python, torchMissing } from "./helpers/python.js";
import { tag, type Tagged } from "./helpers/tag.js";
import { openTorchZip } from "./helpers/zip.js";

// Files written by real PyTorch (1.13, the oracle) in this run, compared with what PyTorch itself reads.
const skip = torchMissing();
const dir = mkdtempSync(join(tmpdir(), "ckpt-pickle-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const TENSORS = String.raw`
import torch
torch.manual_seed(0)
base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
tensors = {
    "base": base, "transposed": base.t(), "row": base[1], "col": base[:, 2], "stepped": base[::2, 1::3],
    "expanded": torch.arange(3.0)[:, None].expand(3, 5), "scalar": torch.tensor(2.5), "empty": torch.zeros(0, 3),
    "f64": torch.randn(3, 2, dtype=torch.float64).t(), "f16": torch.randn(5).half(), "bf16": torch.randn(2, 3).bfloat16().t(),
    "i64": torch.arange(-3, 3).reshape(2, 3).t(), "i32": torch.arange(4, dtype=torch.int32), "i16": torch.tensor([-2, 7], dtype=torch.int16),
    "i8": torch.tensor([-128, 127], dtype=torch.int8), "u8": torch.tensor([0, 255], dtype=torch.uint8),
    "bool": torch.tensor([[True, False], [False, True]]).t(), "c64": torch.randn(3, dtype=torch.complex64),
    "param": torch.nn.Parameter(torch.randn(2, 2)), "frozen": torch.nn.Parameter(torch.randn(2), requires_grad=False),
    "grad": torch.ones(2).requires_grad_(),
}
tensors["shared"] = [tensors["base"], tensors["row"]]
`;

test("legacy torch.save files (pre-zip format) load with views, dtypes and Parameters", { skip }, async () => {
  const path = join(dir, "legacy.pt");
  const expected = python<Tagged>(
    PY_PRELUDE + TENSORS + `torch.save(tensors, ${JSON.stringify(path)}, _use_new_zipfile_serialization=False)\njson.dump(tag(tensors), sys.stdout)`,
  );
  const bytes = new Uint8Array(readFileSync(path));
  assert.ok(isLegacyTorch(bytes));
  const root = loadLegacyTorch(bytes, { fileName: "legacy.pt" }) as PyMap;
  assert.deepEqual(await tag(root), expected);
  assert.deepEqual((root.get("param") as Tensor).attrs, { parameter: true, requiresGrad: true });
  assert.deepEqual((root.get("frozen") as Tensor).attrs, { parameter: true, requiresGrad: false });
  assert.deepEqual((root.get("grad") as Tensor).attrs, { requiresGrad: true });
  const shared = root.get("shared") as Tensor[];
  assert.equal(shared[0], root.get("base"), "the same tensor object is shared, not copied");
});

test("zip torch.save files: every dtype and view equals PyTorch's values", { skip }, async () => {
  const path = join(dir, "views.pt");
  const expected = python<Tagged>(PY_PRELUDE + TENSORS + `torch.save(tensors, ${JSON.stringify(path)})\njson.dump(tag(tensors), sys.stdout)`);
  const zip = await openTorchZip(path);
  try {
    const root = loadTorchPickle(zip.pickle, { storage: zip.storage }) as PyMap;
    assert.deepEqual(await tag(root), expected);
    assert.ok((root.get("expanded") as Tensor).source instanceof ComputedSource, "stride-0 view is computed");
  } finally {
    await zip.close();
  }
});

test("sparse COO tensors become dense lazily, duplicates summed as to_dense() does", { skip }, async () => {
  const path = join(dir, "sparse.pt");
  const expected = python<Tagged>(
    PY_PRELUDE +
      String.raw`
import torch
torch.manual_seed(1)
i = torch.tensor([[0, 1, 1, 3, 1], [2, 0, 0, 4, 0]])
sparse = {
    "uncoalesced": torch.sparse_coo_tensor(i, torch.tensor([1.0, 2.0, 3.5, -1.0, 0.25]), (4, 5)),
    "coalesced": torch.sparse_coo_tensor(i, torch.randn(5), (4, 5)).coalesce(),
    "hybrid": torch.sparse_coo_tensor(i[:1], torch.randn(5, 3), (4, 3)),
    "int": torch.sparse_coo_tensor(i, torch.tensor([1, 2, 3, 4, 5]), (4, 5)),
    "half": torch.sparse_coo_tensor(i, torch.randn(5).half(), (4, 5)),
    "empty": torch.sparse_coo_tensor(torch.zeros(2, 0, dtype=torch.long), torch.zeros(0), (3, 3)),
}
torch.save(sparse, ${JSON.stringify(path)})
json.dump(tag(sparse), sys.stdout)
`,
  );
  const zip = await openTorchZip(path);
  try {
    const root = loadTorchPickle(zip.pickle, { storage: zip.storage }) as PyMap;
    assert.deepEqual(await tag(root), expected);
    assert.deepEqual((root.get("uncoalesced") as Tensor).attrs, { layout: "sparse_coo" });
  } finally {
    await zip.close();
  }
});

test("harmless globals of real checkpoints: Size, device, dtype, TorchVersion, set, complex, bytes, Counter, state_dict metadata", { skip }, async () => {
  const path = join(dir, "misc.pt");
  const version = python<string>(
    String.raw`
import torch, collections, json
m = torch.nn.Linear(2, 1)
torch.save({
    "size": torch.Size([2, 3]), "device": torch.device("cuda", 1), "cpu": torch.device("cpu"), "dtype": torch.float16,
    "version": torch.__version__, "set": {3}, "frozen": frozenset(), "complex": 1 - 2j, "bytes": b"\x00\xff", "bytearray": bytearray(b"ab"),
    "counter": collections.Counter("aab"), "state": m.state_dict(),
}, ${JSON.stringify(path)})
print(json.dumps(str(torch.__version__)))
`,
  );
  const zip = await openTorchZip(path);
  try {
    const root = loadTorchPickle(zip.pickle, { storage: zip.storage }) as PyMap;
    const get = (key: string) => root.get(key) as Node;
    assert.deepEqual(get("size"), new Tuple([2n, 3n]));
    assert.deepEqual(get("device"), new OpaqueObject("torch.device", ["cuda", 1n], undefined, "reduce"));
    assert.deepEqual(get("cpu"), new OpaqueObject("torch.device", ["cpu"], undefined, "reduce"));
    assert.deepEqual(get("dtype"), new OpaqueObject("torch.float16", [], undefined, "global"));
    assert.equal(get("version"), version);
    assert.deepEqual(get("set"), new OpaqueObject("builtins.set", [[3n]], undefined, "reduce"));
    assert.deepEqual(get("frozen"), new OpaqueObject("builtins.frozenset", [[]], undefined, "reduce"));
    assert.deepEqual(get("complex"), new OpaqueObject("builtins.complex", [1, -2], undefined, "reduce"));
    assert.deepEqual(get("bytes"), Uint8Array.from([0, 255]));
    assert.deepEqual(get("bytearray"), Uint8Array.from([0x61, 0x62]));
    assert.deepEqual(get("counter"), new Map([["a", 2n], ["b", 1n]]));
    const state = get("state") as PyMap & { attributes?: PyMap };
    assert.deepEqual([...state.keys()], ["weight", "bias"]);
    assert.ok(state.attributes?.get("_metadata") instanceof Map, "nn.Module _metadata kept as OrderedDict attributes");
  } finally {
    await zip.close();
  }
});
