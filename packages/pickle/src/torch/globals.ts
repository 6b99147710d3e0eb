import { argError, expectCount, expectSequence, expectStr } from "../vm/args.js";
import type { KnownGlobal } from "../vm/globals.js";
import { CLASS_MARKER, PYTHON_GLOBALS } from "../vm/python-globals.js";
import { PendingObject, aKind, makeTuple } from "../vm/values.js";
import { STORAGE_DTYPES, TORCH_DTYPES, UNTYPED_STORAGE } from "./dtypes.js";
import { runLegacyTorch } from "./legacy.js";
import { REBUILD_GLOBALS } from "./rebuild.js";
import { SPARSE_GLOBALS } from "./sparse.js";

/** `torch.torch_version.TorchVersion`: a str subclass → the string. */
const torchVersion: KnownGlobal = {
  call(args, ctx) {
    expectCount(ctx, args, 1);
    return expectStr(ctx, args[0], "the version");
  },
  newObject(args, _kwargs, ctx) {
    expectCount(ctx, args, 1);
    return expectStr(ctx, args[0], "the version");
  },
};

/** `torch.Size((2, 3))` → the tuple. */
const torchSize: KnownGlobal = {
  call(args, ctx) {
    expectCount(ctx, args, 0, 1);
    const items = args.length === 0 ? [] : [...expectSequence(ctx, args[0], "the sizes")];
    for (const item of items) if (typeof item !== "bigint") throw argError(ctx, `${aKind(item)} among the sizes`);
    return makeTuple(items);
  },
};

/**
 * `torch.device("cuda", 0)` → an opaque `torch.device` object with the same
 * arguments (not a string, so a PyTorch writer gives back a device, not a str).
 */
const torchDevice: KnownGlobal = {
  call(args, ctx) {
    expectCount(ctx, args, 1, 2);
    expectStr(ctx, args[0], "the device type");
    if (args[1] !== undefined && args[1] !== null && typeof args[1] !== "bigint") throw argError(ctx, `${aKind(args[1])} as the device index`);
    return new PendingObject("torch.device", args, "reduce");
  },
};

/** `torch.storage._load_from_bytes(b)`: a storage pickled with plain pickle, in the legacy format. */
const loadFromBytes: KnownGlobal = {
  call(args, ctx) {
    expectCount(ctx, args, 1);
    const bytes = args[0];
    if (!(bytes instanceof Uint8Array)) throw argError(ctx, `${aKind(bytes!)} (expects bytes)`);
    return runLegacyTorch(bytes, ctx.options).value;
  },
};

/** Every name below is interpreted by this package; nothing is imported from PyTorch. */
export const TORCH_GLOBALS: ReadonlyMap<string, KnownGlobal> = new Map<string, KnownGlobal>([
  ...PYTHON_GLOBALS,
  ...REBUILD_GLOBALS,
  ...SPARSE_GLOBALS,
  ...[...STORAGE_DTYPES.keys(), UNTYPED_STORAGE, "torch.UntypedStorage", "torch.storage.TypedStorage"].map((name) => [name, CLASS_MARKER] as [string, KnownGlobal]),
  ...[...TORCH_DTYPES.keys()].map((name) => [name, CLASS_MARKER] as [string, KnownGlobal]),
  ["torch.Tensor", CLASS_MARKER],
  ["torch.nn.parameter.Parameter", CLASS_MARKER],
  ["torch.torch_version.TorchVersion", torchVersion],
  ["torch.Size", torchSize],
  ["torch.device", torchDevice],
  ["torch.storage._load_from_bytes", loadFromBytes],
]);

