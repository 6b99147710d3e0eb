import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Tensor} from "@ckpt/core";
import { walkTensors, type PyMap } from "@ckpt/core";
import { parseTorchPickle } from "../src/torch/index.js";
import { PY_PRELUDE, python, torchMissing } from "./helpers/python.js";
import { tag, type Tagged } from "./helpers/tag.js";
import { FIXTURES } from "./helpers/fixtures.js";

// Thalia delta files: a 64-byte header, then a protocol-4 pickle whose tensors are
// _rebuild_tensor_v2 over torch.storage._load_from_bytes(<legacy torch.save bytes>).
const DELTA = `${FIXTURES}/reference/stage1_v1.delta.thalia`;
const EMPTY_DELTA = `${FIXTURES}/reference/stage1.delta.thalia`;

test("stage1_v1.delta.thalia: the pickle at byte 64 loads, and the metadata JSON follows it", () => {
  const bytes = new Uint8Array(readFileSync(DELTA));
  const { root, end } = parseTorchPickle(bytes, { offset: 64, fileName: "stage1_v1.delta.thalia" });
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(end, true);
  const metadata = JSON.parse(new TextDecoder().decode(bytes.subarray(end + 4, end + 4 + length)));
  assert.ok("delta_info" in metadata);
  assert.equal(end + 4 + length, bytes.length);
  const tensors = [...walkTensors(root)];
  assert.ok(tensors.length >= 7, `found ${tensors.length} tensors`);
  const sparse = ((((root as PyMap).get("regions") as PyMap).get("cortex") as PyMap).get("weights") as PyMap).get("feedforward") as PyMap;
  assert.equal(sparse.get("type"), "sparse");
  const indices = sparse.get("indices") as Tensor;
  // A transposed view (stride (1, 5)) of a legacy LongStorage of 10 elements.
  assert.deepEqual([indices.dtype, indices.shape], ["i64", [5, 2]]);
});

test("stage1_v1.delta.thalia: every value and tensor equals what PyTorch reads", { skip: torchMissing() }, async () => {
  const bytes = new Uint8Array(readFileSync(DELTA));
  // The oracle reads the same pickle with an unpickler restricted to the three globals it needs.
  const expected = python<Tagged>(
    PY_PRELUDE +
      String.raw`
import torch, torch._utils, torch.storage
ALLOWED = {("torch._utils", "_rebuild_tensor_v2"), ("torch.storage", "_load_from_bytes"), ("collections", "OrderedDict")}
class Restricted(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in ALLOWED: raise pickle.UnpicklingError(module + "." + name)
        return super().find_class(module, name)
data = sys.stdin.buffer.read()
json.dump(tag(Restricted(io.BytesIO(data[64:])).load()), sys.stdout)
`,
    bytes,
  );
  const { root } = parseTorchPickle(bytes, { offset: 64 });
  assert.deepEqual(await tag(root), expected);
});

test("stage1.delta.thalia (a v2 state: empty delta) loads", () => {
  const bytes = new Uint8Array(readFileSync(EMPTY_DELTA));
  const { root } = parseTorchPickle(bytes, { offset: 64 });
  assert.ok(root instanceof Map);
  assert.equal([...walkTensors(root)].length, 0);
});
