import { test } from "node:test";
import assert from "node:assert/strict";
import type { Tensor} from "@ckpt/core";
import { CkptError, MemorySource, type PyMap } from "@ckpt/core";
import { DTYPE_STORAGE, DTYPE_TORCH, STORAGE_DTYPES, TORCH_DTYPES, TORCH_GLOBALS, isLegacyTorch, loadLegacyTorch, loadTorchPickle, type StorageLoader } from "../src/torch/index.js";
import { glob, int, pk, proto2, storageRef, str, tuple, type Part } from "./helpers/pickle-bytes.js";

// Hand-written torch pickles for what PyTorch 1.13 cannot write (v3, UntypedStorage,
// Parameter state) and for malformed tensors.

const f32 = (...values: number[]) => new Uint8Array(new Float32Array(values).buffer);
const storages = (map: Record<string, Uint8Array>): StorageLoader => (key) => (map[key] ? new MemorySource(map[key]!) : undefined);
const hooks = pk(glob("collections", "OrderedDict"), ")R");
const v2 = (storage: Part, offset: number, size: number[], stride: number[], extra: Part[] = []) =>
  pk(glob("torch._utils", "_rebuild_tensor_v2"), tuple(storage, int(offset), tuple(...size.map(int)), tuple(...stride.map(int)), "\x89", hooks, ...extra), "R");

async function values(tensor: Tensor): Promise<number[]> {
  const bytes = (await tensor.source.read()).slice();
  return [...new Float32Array(bytes.buffer)];
}

function fails(bytes: Uint8Array, storage: StorageLoader | undefined, code: string, pattern: RegExp): void {
  assert.throws(
    () => loadTorchPickle(bytes, { storage, fileName: "x.pt" }),
    (error: unknown) => error instanceof CkptError && error.code === code && pattern.test(error.message) && !error.message.includes("\n"),
  );
}

test("_rebuild_tensor_v3 over an UntypedStorage (numel in bytes) with a dtype global", async () => {
  const u16 = new Uint8Array(new Uint16Array([1, 2, 3, 4, 5, 6]).buffer);
  const bytes = proto2(
    glob("torch._utils", "_rebuild_tensor_v3"),
    tuple(storageRef("UntypedStorage", "0", 12, "torch.storage"), int(0), tuple(int(3), int(2)), tuple(int(1), int(3)), "\x89", hooks, glob("torch", "uint16")),
    "R",
  );
  const t = loadTorchPickle(bytes, { storage: storages({ "0": u16 }) }) as Tensor;
  assert.deepEqual([t.dtype, t.shape], ["u16", [3, 2]]);
  assert.deepEqual([...new Uint16Array((await t.source.read()).slice().buffer)], [1, 4, 2, 5, 3, 6]);
  fails(proto2(glob("torch._utils", "_rebuild_tensor_v3"), tuple(storageRef("UntypedStorage", "0", 12, "torch.storage"), int(0), tuple(int(3)), tuple(int(1)), "\x89", hooks, glob("torch", "float64")), "R"), storages({ "0": u16 }), "CORRUPT", /not a whole number of f64 elements/);
});

test("Parameter state and _rebuild_from_type_v2 keep Python attributes in attrs", () => {
  const state = pk("}", str("note"), str("hi"), "s");
  const param = proto2(glob("torch._utils", "_rebuild_parameter_with_state"), tuple(v2(storageRef("FloatStorage", "0", 2), 0, [2], [1]), "\x88", hooks, state), "R");
  const p = loadTorchPickle(param, { storage: storages({ "0": f32(1, 2) }) }) as Tensor;
  assert.deepEqual(p.attrs, { parameter: true, requiresGrad: true, state: new Map([["note", "hi"]]) });

  const args = tuple(storageRef("FloatStorage", "0", 2), int(0), tuple(int(2)), tuple(int(1)), "\x89", hooks);
  const typed = proto2(glob("torch._tensor", "_rebuild_from_type_v2"), tuple(glob("torch._utils", "_rebuild_tensor_v2"), glob("torch", "Tensor"), args, state), "R");
  const t = loadTorchPickle(typed, { storage: storages({ "0": f32(1, 2) }) }) as Tensor;
  assert.deepEqual(t.attrs, { state: new Map([["note", "hi"]]) });
});

test("a storage kept by itself becomes a 1-D tensor marked as a storage; dtype globals are data", () => {
  const root = loadTorchPickle(proto2("(", storageRef("HalfStorage", "7", 3), glob("torch", "bfloat16"), "l"), { storage: storages({ "7": new Uint8Array(6) }) }) as unknown[];
  const storage = root[0] as Tensor;
  assert.deepEqual([storage.dtype, storage.shape, storage.attrs["storage"]], ["f16", [3], true]);
});

test("views are checked: no negative or impossible sizes, strides and offsets; the view stays inside its storage", () => {
  const data = storages({ "0": f32(1, 2, 3, 4) });
  const ref = storageRef("FloatStorage", "0", 4);
  fails(proto2(v2(ref, 0, [5], [1])), data, "CORRUPT", /tensor of 5 elements reaches element 4 of torch storage 0, which holds 4 elements/);
  fails(proto2(v2(ref, 2, [2, 2], [1, 1])), data, "CORRUPT", /reaches element 4/);
  fails(proto2(glob("torch._utils", "_rebuild_tensor_v2"), tuple(ref, "J\xff\xff\xff\xff", tuple(int(1)), tuple(int(1)), "\x89", hooks), "R"), data, "CORRUPT", /negative storage offset/);
  fails(proto2(glob("torch._utils", "_rebuild_tensor_v2"), tuple(ref, int(0), tuple(int(2)), tuple("J\xff\xff\xff\xff"), "\x89", hooks), "R"), data, "CORRUPT", /negative stride/);
  fails(proto2(v2(ref, 0, [2, 2], [1])), data, "CORRUPT", /2 sizes but 1 strides/);
  fails(proto2(glob("torch._utils", "_rebuild_tensor_v2"), tuple(str("nope"), int(0), tuple(), tuple(), "\x89", hooks), "R"), data, "CORRUPT", /_rebuild_tensor_v2 with a str as the storage/);
  // stride 0 over one element is fine, even for many elements.
  assert.deepEqual((loadTorchPickle(proto2(v2(ref, 3, [1000], [0])), { storage: data }) as Tensor).shape, [1000]);
});

test("storage references are checked against the file", () => {
  const ref = storageRef("FloatStorage", "0", 4);
  fails(proto2(v2(ref, 0, [4], [1])), storages({ "0": f32(1, 2, 3) }), "CORRUPT", /storage 0 holds 12 bytes, the pickle says 4 × 4 = 16/);
  fails(proto2(v2(ref, 0, [4], [1])), storages({}), "CORRUPT", /refers to storage 0, which the file does not hold/);
  fails(proto2(v2(ref, 0, [4], [1])), undefined, "CORRUPT", /this file holds no storages/);
  fails(proto2(tuple(str("storage"), glob("torch", "FloatStorage"), str("0"), str("cpu")), "Q"), storages({}), "CORRUPT", /not a storage reference/);
  fails(proto2(tuple(str("storage"), glob("torch", "float32"), str("0"), str("cpu"), int(1)), "Q"), storages({}), "UNSUPPORTED", /torch\.float32, which ckpt does not know/);
});

test("sparse COO: layout via _get_layout; out-of-range indices fail when read", async () => {
  const idx = new Uint8Array(new BigInt64Array([0n, 9n]).buffer);
  const bytes = proto2(
    glob("torch._utils", "_rebuild_sparse_tensor"),
    tuple(pk(glob("torch.serialization", "_get_layout"), str("torch.sparse_coo"), "\x85R"), tuple(v2(storageRef("LongStorage", "i", 2), 0, [1, 2], [2, 1]), v2(storageRef("FloatStorage", "v", 2), 0, [2], [1]), tuple(int(3)))),
    "R",
  );
  const t = loadTorchPickle(bytes, { storage: storages({ i: idx, v: f32(5, 6) }) }) as Tensor;
  assert.deepEqual(t.shape, [3]);
  await assert.rejects(t.source.read(), (e: CkptError) => e.code === "CORRUPT" && /index 9 is outside dimension 0 of size 3/.test(e.message));
  const ok = loadTorchPickle(bytes, { storage: storages({ i: new Uint8Array(new BigInt64Array([2n, 2n]).buffer), v: f32(5, 6) }) }) as Tensor;
  assert.deepEqual(await values(ok), [0, 0, 11]);
});

/** A legacy torch.save of a dict holding a tensor, written by hand. */
function legacyFile(options: { count?: bigint; data?: Uint8Array; keys?: string[] } = {}): Uint8Array {
  const data = options.data ?? f32(1, 2, 3);
  const count = new Uint8Array(new BigInt64Array([options.count ?? 3n]).buffer);
  const ref = pk(tuple(str("storage"), glob("torch", "FloatStorage"), str("k1"), str("cpu"), int(3), "N"), "Q");
  const keys = options.keys ?? ["k1"];
  return pk(
    "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.",
    "\x80\x02M\xe9\x03.",
    proto2("}", str("little_endian"), "\x88s"),
    proto2("}", str("t"), v2(ref, 1, [2], [1]), "s"),
    proto2("(", ...keys.map(str), "l"),
    ...keys.map(() => pk(count, data)),
  );
}

test("legacy format: read by hand-made bytes, every size bounded by the bytes present", async () => {
  const good = legacyFile();
  assert.ok(isLegacyTorch(good));
  const root = loadLegacyTorch(good) as PyMap;
  assert.deepEqual(await values(root.get("t") as Tensor), [2, 3]);
  const refuse = (bytes: Uint8Array, code: string, pattern: RegExp) =>
    assert.throws(() => loadLegacyTorch(bytes, { fileName: "old.pt" }), (e: CkptError) => e.code === code && pattern.test(e.message) && e.message.startsWith("old.pt: "));
  refuse(legacyFile({ count: 4n }), "CORRUPT", /holds 4 elements, its pickle says 3/);
  refuse(good.subarray(0, good.length - 1), "CORRUPT", /needs 12 bytes, only 11 remain/);
  refuse(good.subarray(0, good.length - 14), "CORRUPT", /ends before storage k1/);
  refuse(legacyFile({ keys: ["zz"] }), "CORRUPT", /storage zz, which its pickle never names/);
  refuse(legacyFile({ keys: [] }), "CORRUPT", /legacy storage k1 has no bytes/);
  refuse(pk("\x80\x02K\x01."), "CORRUPT", /no magic number/);
});

test("legacy data nested through _load_from_bytes is bounded", () => {
  const header = pk("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", "\x80\x02M\xe9\x03.", proto2("}"));
  const innermost = pk(header, proto2(tuple(str("storage"), glob("torch", "FloatStorage"), str("k"), str("cpu"), int(1), "N"), "Q"), proto2("(", str("k"), "l"), new Uint8Array(new BigInt64Array([1n]).buffer), f32(7));
  const wrap = (inner: Uint8Array) => {
    const length = new Uint8Array(new Uint32Array([inner.length]).buffer);
    return pk(header, proto2(glob("torch.storage", "_load_from_bytes"), "B", length, inner, "\x85R"), proto2("]"));
  };
  let bytes = innermost;
  for (let i = 0; i < 3; i++) bytes = wrap(bytes);
  const storage = loadLegacyTorch(bytes) as Tensor;
  assert.deepEqual([storage.dtype, storage.shape, storage.attrs["storage"]], ["f32", [1], true]);
  for (let i = 0; i < 20; i++) bytes = wrap(bytes);
  assert.throws(() => loadLegacyTorch(bytes), (e: CkptError) => e.code === "LIMIT" && /nests more than 16 levels/.test(e.message));
});

test("the dtype tables agree with each other and with the table of known globals", () => {
  for (const [name, dtype] of TORCH_DTYPES) {
    assert.ok(TORCH_GLOBALS.has(name), name);
    assert.equal(TORCH_DTYPES.get(DTYPE_TORCH[dtype]), dtype);
  }
  for (const [dtype, cls] of Object.entries(DTYPE_STORAGE)) {
    assert.equal(STORAGE_DTYPES.get(cls), dtype);
    assert.ok(TORCH_GLOBALS.has(cls), cls);
  }
});
