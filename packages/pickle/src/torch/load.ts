import { CkptError, Tuple, itemSize, type ByteSource, type DType, type Node } from "@ckpt/core";
import type { PickleLimits } from "../vm/limits.js";
import { parsePickle } from "../vm/machine.js";
import type { UnpickleOptions } from "../vm/options.js";
import { GlobalRef, aKind, kindName, type Value } from "../vm/values.js";
import { STORAGE_DTYPES, UNTYPED_STORAGE } from "./dtypes.js";
import { TORCH_GLOBALS } from "./globals.js";
import { loadLegacyTorch as loadLegacy } from "./legacy.js";
import { TorchStorage } from "./storage.js";
import { printable } from "../vm/printable.js";

/** What a storage persistent id says, besides its key, dtype and element count. */
export interface StorageInfo {
  /** The storage class the pickle names ("torch.FloatStorage", "torch.storage.UntypedStorage"). */
  storageClass: string;
  /** Where it lived when saved ("cpu", "cuda:0"). */
  location: string;
}

/**
 * Gives the bytes of storage `key` (the zip entry `<folder>/data/<key>`), or
 * undefined when the file has no such storage. `numel` is in elements of `dtype`
 * (bytes for an untyped storage, whose dtype is "u8"); the reader checks that the
 * source holds exactly `numel × itemSize(dtype)` bytes.
 */
export type StorageLoader = (key: string, dtype: DType, numel: number, info: StorageInfo) => ByteSource | undefined;

export interface TorchPickleOptions {
  /** Storage bytes for persistent ids. Without it, a persistent id is an error (a Thalia delta has none). */
  storage?: StorageLoader;
  /** Other globals to keep as opaque data ("module.Name"); never called. */
  allowGlobals?: Iterable<string>;
  /** The file being read, for error messages. */
  fileName?: string;
  limits?: Partial<PickleLimits>;
  /** Where the pickle starts in `bytes` (default 0). */
  offset?: number;
}

/** The persistent-id handler of the zip format: `('storage', cls, key, location, numel)`. */
function zipStorages(loader: StorageLoader | undefined): (pid: Value) => Value {
  const sources = new Map<string, ByteSource>();
  const storages = new Map<string, TorchStorage>();
  return (pid) => {
    const items = pid instanceof Tuple ? (pid.items as Value[]) : [];
    if (items[0] !== "storage" || items.length !== 5) {
      throw new CkptError("CORRUPT", `pickle has a persistent id that is not a storage reference (${kindName(pid)} of ${items.length} items)`);
    }
    const [, cls, key, location, size] = items;
    if (typeof key !== "string") throw new CkptError("CORRUPT", `storage reference has ${aKind(key!)} as its key`);
    const shown = printable(key);
    const storageClass = cls instanceof GlobalRef ? cls.qualifiedName : kindName(cls!);
    const dtype = storageClass === UNTYPED_STORAGE || storageClass === "torch.UntypedStorage" ? "u8" : STORAGE_DTYPES.get(storageClass);
    if (!dtype) throw new CkptError("UNSUPPORTED", `storage ${shown} is a ${storageClass}, which ckpt does not know`);
    if (typeof size !== "bigint" || size < 0n || size > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new CkptError("CORRUPT", `storage ${shown} has an invalid element count`);
    }
    const numel = Number(size);
    const known = storages.get(`${dtype}:${key}`);
    if (known) return known;
    if (!loader) throw new CkptError("CORRUPT", `pickle refers to storage ${shown}, but this file holds no storages`);
    const where = typeof location === "string" ? location : "cpu";
    const source = sources.get(key) ?? loader(key, dtype, numel, { storageClass, location: where });
    if (!source) throw new CkptError("CORRUPT", `pickle refers to storage ${shown}, which the file does not hold`);
    sources.set(key, source);
    const expected = numel * itemSize(dtype);
    if (source.byteLength !== expected) {
      throw new CkptError("CORRUPT", `storage ${shown} holds ${source.byteLength} bytes, the pickle says ${numel} × ${itemSize(dtype)} = ${expected}`);
    }
    const storage = new TorchStorage(key, dtype, numel, source, storageClass, where);
    storages.set(`${dtype}:${key}`, storage);
    return storage;
  };
}

function unpickleOptions(options: TorchPickleOptions): UnpickleOptions & { offset?: number } {
  return {
    globals: TORCH_GLOBALS,
    allowGlobals: options.allowGlobals,
    fileName: options.fileName,
    limits: options.limits,
    offset: options.offset,
    persistentLoad: zipStorages(options.storage),
  };
}

/**
 * Reads a PyTorch pickle (a zip checkpoint's `data.pkl`, or any pickle holding
 * tensors) into a model tree, and says where it ended. Tensors are lazy views of
 * the storages the loader gives.
 */
export function parseTorchPickle(bytes: Uint8Array, options: TorchPickleOptions = {}): { root: Node; end: number } {
  return parsePickle(bytes, unpickleOptions(options));
}

/** `parseTorchPickle(...).root`. */
export function loadTorchPickle(bytes: Uint8Array, options: TorchPickleOptions = {}): Node {
  return parseTorchPickle(bytes, options).root;
}

/** Reads a whole legacy (pre-zip) torch.save file held in memory. */
export function loadLegacyTorch(bytes: Uint8Array, options: Omit<TorchPickleOptions, "storage" | "offset"> = {}): Node {
  return loadLegacy(bytes, { globals: TORCH_GLOBALS, allowGlobals: options.allowGlobals, fileName: options.fileName, limits: options.limits });
}
