import { CkptError, MemorySource, Tuple, asCkptError, itemSize, type DType, type Node } from "@ckpt/core";
import { Finisher } from "../vm/finish.js";
import { resolveLimits } from "../vm/limits.js";
import { runPickle } from "../vm/machine.js";
import type { UnpickleOptions } from "../vm/options.js";
import { GlobalRef, aKind, kindName, type Value } from "../vm/values.js";
import { DeferredSource, sliceSource } from "./byte-slice.js";
import { STORAGE_DTYPES, UNTYPED_STORAGE } from "./dtypes.js";
import { TorchStorage } from "./storage.js";
import { printable } from "../vm/printable.js";

/**
 * The torch.save format before the zip container (PyTorch < 1.6, and what
 * `torch.storage._load_from_bytes` holds): five things back to back —
 *   pickle(magic number)  pickle(1001)  pickle(sys info)  pickle(the object)
 *   pickle(storage keys)  then per key: int64 element count, raw bytes.
 * Reading only.
 */

const MAGIC = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001n;
/** How the format starts when written at protocol 2 (every PyTorch did). */
const MAGIC_PICKLE = Uint8Array.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]);

/** Legacy data may embed more legacy data (`_load_from_bytes` inside it); bound the nesting. */
const MAX_NESTING = 16;
let nesting = 0;

/** Does `bytes` start like a legacy torch.save file? */
export function isLegacyTorch(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC_PICKLE.length && MAGIC_PICKLE.every((b, i) => bytes[i] === b);
}

function storageDType(cls: Value | undefined): { dtype: DType; name: string } {
  const name = cls instanceof GlobalRef ? cls.qualifiedName : undefined;
  const dtype = name === UNTYPED_STORAGE ? "u8" : name ? STORAGE_DTYPES.get(name) : undefined;
  if (!dtype || !name) throw new CkptError("UNSUPPORTED", `legacy torch data names storage class ${name ?? kindName(cls!)}, which ckpt does not know`);
  return { dtype, name };
}

function count(value: Value | undefined, what: string): number {
  if (typeof value !== "bigint" || value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new CkptError("CORRUPT", `legacy torch storage id has an invalid ${what}`);
  }
  return Number(value);
}

/**
 * Reads legacy torch.save bytes up to the object (storages included) and returns it
 * as the VM built it, so it can take part in an enclosing pickle; `end` is where the
 * last storage's bytes end. `options.globals` must be the torch table.
 */
export function runLegacyTorch(bytes: Uint8Array, options: UnpickleOptions): { value: Value; end: number } {
  if (nesting >= MAX_NESTING) throw new CkptError("LIMIT", `legacy torch data nests more than ${MAX_NESTING} levels deep`);
  nesting++;
  try {
    return readLegacy(bytes, options);
  } finally {
    nesting--;
  }
}

function readLegacy(bytes: Uint8Array, options: UnpickleOptions): { value: Value; end: number } {
  const plain: UnpickleOptions = { ...options, persistentLoad: undefined };
  let at = 0;
  const next = (opts: UnpickleOptions): Value => {
    const run = runPickle(bytes, at, opts);
    at = run.end;
    return run.value;
  };

  let magic: Value;
  try {
    magic = next({ ...plain, globals: new Map() });
  } catch {
    magic = null;
  }
  if (magic !== MAGIC) throw new CkptError("CORRUPT", "not legacy torch.save data (no magic number)");
  const version = next(plain);
  if (version !== PROTOCOL_VERSION) {
    throw new CkptError("UNSUPPORTED", `legacy torch.save protocol version ${typeof version === "bigint" ? version : kindName(version)} (ckpt reads ${PROTOCOL_VERSION})`);
  }
  const sysInfo = next(plain);
  if (sysInfo instanceof Map && sysInfo.get("little_endian") === false) {
    throw new CkptError("UNSUPPORTED", "legacy torch data was written on a big-endian machine");
  }

  // Storages are named in the object's pickle; their bytes come after it.
  const roots = new Map<string, TorchStorage>();
  const views = new Map<string, TorchStorage>();
  const persistentLoad = (pid: Value): Value => {
    const items = pid instanceof Tuple ? (pid.items as Value[]) : [];
    if (items[0] === "module") throw new CkptError("UNSUPPORTED", "legacy torch data saves a whole module with its source code; ckpt reads tensors and state dicts");
    if (items[0] !== "storage" || items.length !== 6) throw new CkptError("CORRUPT", `legacy torch data has a persistent id that is not a storage (${kindName(pid)})`);
    const [, cls, key, location, size, viewMetadata] = items;
    if (typeof key !== "string") throw new CkptError("CORRUPT", "legacy torch storage id has no key");
    const { dtype, name } = storageDType(cls);
    let root = roots.get(key);
    if (!root) {
      const numel = count(size, "size");
      root = new TorchStorage(key, dtype, numel, new DeferredSource(numel * itemSize(dtype), `storage ${printable(key)}`), name, typeof location === "string" ? location : "cpu");
      roots.set(key, root);
    }
    if (viewMetadata === null) return root;
    // A storage view (PyTorch < 0.4): (view key, offset, size) into the root storage.
    const view = viewMetadata instanceof Tuple ? (viewMetadata.items as Value[]) : [];
    const [viewKey, offsetValue, sizeValue] = view;
    if (view.length !== 3 || typeof viewKey !== "string") throw new CkptError("CORRUPT", "legacy torch storage view metadata is malformed");
    const known = views.get(viewKey);
    if (known) return known;
    const offset = count(offsetValue, "view offset");
    const viewSize = count(sizeValue, "view size");
    if (offset + viewSize > root.numel) throw new CkptError("CORRUPT", `legacy storage view ${printable(viewKey)} lies outside storage ${printable(key)}`);
    const width = itemSize(root.dtype);
    const storage = new TorchStorage(viewKey, root.dtype, viewSize, sliceSource(root.source, offset * width, viewSize * width), root.storageClass, root.location);
    views.set(viewKey, storage);
    return storage;
  };
  const value = next({ ...options, persistentLoad });

  const keys = next(plain);
  if (!Array.isArray(keys)) throw new CkptError("CORRUPT", `legacy torch data lists its storages as ${aKind(keys)}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const key of keys as Value[]) {
    const storage = typeof key === "string" ? roots.get(key) : undefined;
    if (!storage) throw new CkptError("CORRUPT", `legacy torch data stores bytes for storage ${printable(String(key))}, which its pickle never names`);
    if (at + 8 > bytes.length) throw new CkptError("CORRUPT", `legacy torch data ends before storage ${printable(storage.key)}`);
    const numel = view.getBigInt64(at, true);
    at += 8;
    const width = itemSize(storage.dtype);
    if (numel !== BigInt(storage.numel)) {
      throw new CkptError("CORRUPT", `legacy storage ${printable(storage.key)} holds ${numel} elements, its pickle says ${storage.numel}`);
    }
    const length = storage.numel * width;
    if (length > bytes.length - at) {
      throw new CkptError("CORRUPT", `legacy storage ${printable(storage.key)} needs ${length} bytes, only ${bytes.length - at} remain`);
    }
    (storage.source as DeferredSource).resolve(new MemorySource(bytes.subarray(at, at + length)));
    at += length;
  }
  for (const storage of roots.values()) {
    if (!(storage.source as DeferredSource).resolved) throw new CkptError("CORRUPT", `legacy storage ${printable(storage.key)} has no bytes`);
  }
  return { value, end: at };
}

/** Reads a whole legacy torch.save file (already in memory) into a model tree. */
export function loadLegacyTorch(bytes: Uint8Array, options: UnpickleOptions): Node {
  try {
    return new Finisher(resolveLimits(options.limits)).convert(runLegacyTorch(bytes, options).value);
  } catch (error) {
    throw asCkptError(error, options.fileName);
  }
}
