import { CkptError, Tensor, itemSize, type DType, type Node } from "@ckpt/core";
import { argError, expectBool, expectCount, expectCount64, expectSequence } from "../vm/args.js";
import type { CallContext, KnownGlobal } from "../vm/globals.js";
import { GlobalRef, aKind, kindName, type Value } from "../vm/values.js";
import { TORCH_DTYPES } from "./dtypes.js";
import { TorchStorage } from "./storage.js";
import { viewSource } from "./view.js";

/** torch._utils' rebuild functions: a tensor is a view (offset, size, stride) of a storage. */

function expectStorage(ctx: CallContext, value: Value | undefined): TorchStorage {
  if (value instanceof TorchStorage) return value;
  throw argError(ctx, `${value === undefined ? "a missing value" : aKind(value)} as the storage`);
}

function dims(ctx: CallContext, value: Value | undefined, what: string): number[] {
  return expectSequence(ctx, value, what).map((item) => expectCount64(ctx, item, `${what} entry`));
}

/** A `torch.float32`-style global as a dtype. */
export function dtypeArg(ctx: CallContext, value: Value | undefined): DType {
  const dtype = value instanceof GlobalRef ? TORCH_DTYPES.get(value.qualifiedName) : undefined;
  if (dtype) return dtype;
  if (value instanceof GlobalRef && value.qualifiedName.startsWith("torch.")) {
    throw new CkptError("UNSUPPORTED", `pickle has a tensor of dtype ${value.qualifiedName}, which ckpt does not support`);
  }
  throw argError(ctx, `${value === undefined ? "a missing value" : aKind(value)} as the dtype`);
}

function hasEntries(value: Value | undefined): boolean {
  return value instanceof Map && value.size > 0;
}

/** The tensor for `storage[offset, size, stride]` read as `dtype`. */
function rebuild(ctx: CallContext, storage: TorchStorage, dtype: DType, args: Value[]): Tensor {
  const offset = expectCount64(ctx, args[1], "storage offset");
  const size = dims(ctx, args[2], "size");
  const stride = dims(ctx, args[3], "stride");
  const source = viewSource({ source: storage.source, label: storage.describe() }, { dtype, offset, size, stride });
  return new Tensor(dtype, size, source);
}

/** Attributes that are not content: requires_grad, and tensor metadata when there is some. */
function withAttrs(ctx: CallContext, tensor: Tensor, requiresGrad: Value | undefined, metadata: Value | undefined): Tensor {
  const attrs: Record<string, unknown> = {};
  if (requiresGrad !== undefined && expectBool(ctx, requiresGrad, "requires_grad")) attrs["requiresGrad"] = true;
  if (hasEntries(metadata)) attrs["metadata"] = ctx.toNode(metadata!);
  return Object.keys(attrs).length === 0 ? tensor : tensor.with({ attrs });
}

/** `_rebuild_tensor(storage, offset, size, stride)` (PyTorch < 1.0 legacy files). */
const rebuildTensorV1: KnownGlobal = {
  call(args, ctx) {
    expectCount(ctx, args, 4);
    const storage = expectStorage(ctx, args[0]);
    return rebuild(ctx, storage, storage.dtype, args);
  },
};

/** `_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks[, metadata])`. */
const rebuildTensorV2: KnownGlobal = {
  call(args, ctx) {
    expectCount(ctx, args, 4, 7);
    const storage = expectStorage(ctx, args[0]);
    // backward_hooks (args[5]) cannot be kept: PyTorch itself drops them with a warning.
    return withAttrs(ctx, rebuild(ctx, storage, storage.dtype, args), args[4], args[6]);
  },
};

/** `_rebuild_tensor_v3(storage, offset, size, stride, requires_grad, backward_hooks, dtype[, metadata])`: an untyped storage read as `dtype`. */
const rebuildTensorV3: KnownGlobal = {
  call(args, ctx) {
    expectCount(ctx, args, 7, 8);
    const storage = expectStorage(ctx, args[0]);
    const dtype = dtypeArg(ctx, args[6]);
    if (storage.dtype !== "u8" && storage.dtype !== dtype) {
      throw argError(ctx, `a ${storage.dtype} storage for a ${dtype} tensor`);
    }
    if (storage.byteLength % itemSize(dtype) !== 0) {
      throw argError(ctx, `a storage of ${storage.byteLength} bytes, not a whole number of ${dtype} elements`);
    }
    return withAttrs(ctx, rebuild(ctx, storage, dtype, args), args[4], args[7]);
  },
};

function asParameter(ctx: CallContext, data: Value | undefined, requiresGrad: Value | undefined, state: Value | undefined): Tensor {
  if (!(data instanceof Tensor)) throw argError(ctx, `${data === undefined ? "a missing value" : aKind(data)} as the data`);
  const attrs: Record<string, unknown> = { ...data.attrs, parameter: true, requiresGrad: expectBool(ctx, requiresGrad, "requires_grad") };
  if (hasEntries(state)) attrs["state"] = ctx.toNode(state!);
  return data.with({ attrs });
}

/** `_rebuild_parameter(data, requires_grad, backward_hooks)` → the tensor, marked as a Parameter. */
const rebuildParameter: KnownGlobal = {
  call(args, ctx) {
    expectCount(ctx, args, 3);
    return asParameter(ctx, args[0], args[1], undefined);
  },
};

/** `_rebuild_parameter_with_state(data, requires_grad, backward_hooks, state)`: the state (Python attributes) goes to attrs. */
const rebuildParameterWithState: KnownGlobal = {
  call(args, ctx) {
    expectCount(ctx, args, 4);
    return asParameter(ctx, args[0], args[1], args[3]);
  },
};

/**
 * `torch._tensor._rebuild_from_type_v2(func, new_type, args, state)`: how PyTorch 2.x
 * pickles a tensor carrying Python attributes. `func` must be a known rebuild function,
 * `new_type` torch.Tensor or torch.nn.Parameter.
 */
const rebuildFromTypeV2: KnownGlobal = {
  call(args, ctx) {
    expectCount(ctx, args, 4);
    const [func, newType, inner, state] = args;
    if (!(func instanceof GlobalRef) || !func.known?.call) throw argError(ctx, `${aKind(func!)} as the function`);
    const result = func.known.call(expectSequence(ctx, inner, "the arguments"), { ...ctx, name: func.qualifiedName });
    if (!(result instanceof Tensor)) throw argError(ctx, `a function that does not make a tensor`);
    const type = newType instanceof GlobalRef ? newType.qualifiedName : "";
    if (type === "torch.nn.parameter.Parameter") return asParameter(ctx, result, true, state);
    if (type !== "torch.Tensor") {
      throw new CkptError("UNSUPPORTED", `pickle rebuilds a tensor of class ${type || kindName(newType!)}, which ckpt does not support`);
    }
    return hasEntries(state) ? result.with({ attrs: { ...result.attrs, state: ctx.toNode(state!) as Node } }) : result;
  },
};

export const REBUILD_GLOBALS: [string, KnownGlobal][] = [
  ["torch._utils._rebuild_tensor", rebuildTensorV1],
  ["torch._utils._rebuild_tensor_v2", rebuildTensorV2],
  ["torch._utils._rebuild_tensor_v3", rebuildTensorV3],
  ["torch._utils._rebuild_parameter", rebuildParameter],
  ["torch._utils._rebuild_parameter_with_state", rebuildParameterWithState],
  ["torch._tensor._rebuild_from_type_v2", rebuildFromTypeV2],
];
