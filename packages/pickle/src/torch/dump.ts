import { OrderedMap, Tuple, type ByteSource, type DType, type Node, type Tensor } from "@ckpt/core";
import { Pickler, type Item } from "../writer/pickler.js";
import { DTYPE_STORAGE, DTYPE_TORCH, UNTYPED_STORAGE } from "./dtypes.js";

/** One `data/<key>` entry of the archive: the bytes of a tensor, streamed from its source. */
export interface StorageToWrite {
  key: string;
  tensor: Tensor;
}

export interface TorchPickle {
  /** `data.pkl`: protocol 2, the opcodes torch.save itself writes. */
  pickle: Uint8Array;
  /** Storages in key order ("0", "1", …). */
  storages: StorageToWrite[];
}

/** Row-major strides as torch computes them (a zero-sized dimension counts as 1). */
export function contiguousStrides(shape: readonly number[]): bigint[] {
  const strides: bigint[] = new Array(shape.length);
  let step = 1n;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= BigInt(Math.max(shape[i]!, 1));
  }
  return strides;
}

const emptyOrderedDict = (): Item => new OrderedMap();

/**
 * Pickles a model tree the way `torch.save` does: every tensor becomes
 * `_rebuild_tensor_v2(<storage persistent id>, 0, size, stride, requires_grad,
 * OrderedDict())` over its own contiguous storage (a tensor object met twice, or
 * two tensors over the same bytes and dtype, share one). Parameters are wrapped in
 * `_rebuild_parameter`; dtypes without a typed storage class (uint16/32/64, float8)
 * use `UntypedStorage` with `_rebuild_tensor_v3`, which torch ≥ 2.3 reads.
 * The tensor bytes themselves are not touched: they are returned to be streamed.
 */
export function dumpTorchPickle(root: Node): TorchPickle {
  const storages: StorageToWrite[] = [];
  const keys = new Map<ByteSource, Map<DType, string>>();

  const storageKey = (tensor: Tensor): string => {
    const byDtype = keys.get(tensor.source) ?? new Map<DType, string>();
    keys.set(tensor.source, byDtype);
    let key = byDtype.get(tensor.dtype);
    if (key === undefined) {
      key = String(storages.length);
      byDtype.set(tensor.dtype, key);
      storages.push({ key, tensor });
    }
    return key;
  };

  // The persistent id torch writes for a storage: ('storage', class, key, location, numel) + BINPERSID.
  const persistentId = (storageClass: string, key: string, numel: number): Item => (p) => {
    p.tupleOf(["storage", (q) => q.global(storageClass), key, "cpu", BigInt(numel)]);
    p.out.op(0x51 /* BINPERSID */);
  };

  /** The rebuild call torch writes for a plain tensor: function name and arguments. */
  const rebuildCall = (tensor: Tensor, requiresGrad: boolean): { callable: string; args: Item[] } => {
    const key = storageKey(tensor);
    const typed = DTYPE_STORAGE[tensor.dtype];
    const size = new Tuple(tensor.shape.map(BigInt));
    const stride = new Tuple(contiguousStrides(tensor.shape));
    const metadata = tensor.attrs["metadata"];
    const tail: Item[] = metadata instanceof Map && metadata.size > 0 ? [metadata as Node] : [];
    if (typed) {
      const storage = persistentId(typed, key, tensor.numel);
      return { callable: "torch._utils._rebuild_tensor_v2", args: [storage, 0n, size, stride, requiresGrad, emptyOrderedDict(), ...tail] };
    }
    const storage = persistentId(UNTYPED_STORAGE, key, tensor.byteLength);
    const dtype: Item = (p) => p.global(DTYPE_TORCH[tensor.dtype]);
    return { callable: "torch._utils._rebuild_tensor_v3", args: [storage, 0n, size, stride, requiresGrad, emptyOrderedDict(), dtype, ...tail] };
  };

  const writeTensor = (tensor: Tensor, p: Pickler): number => {
    const attrs = tensor.attrs;
    const requiresGrad = attrs["requiresGrad"] === true;
    const state = attrs["state"];
    const hasState = state instanceof Map && state.size > 0;
    if (attrs["parameter"] === true) {
      // A Parameter pickles its data as a plain tensor (requires_grad False) inside the wrapper.
      const data = rebuildCall(tensor, false);
      const inner: Item = (q) => q.reduce(data.callable, data.args);
      return hasState
        ? p.reduce("torch._utils._rebuild_parameter_with_state", [inner, requiresGrad, emptyOrderedDict(), state as Node])
        : p.reduce("torch._utils._rebuild_parameter", [inner, requiresGrad, emptyOrderedDict()]);
    }
    const call = rebuildCall(tensor, requiresGrad);
    if (hasState) {
      // A tensor carrying Python attributes, as torch ≥ 1.12 pickles it.
      return p.reduce("torch._tensor._rebuild_from_type_v2", [
        (q) => q.global(call.callable),
        (q) => q.global("torch.Tensor"),
        (q) => void q.tupleOf(call.args),
        state as Node,
      ]);
    }
    return p.reduce(call.callable, call.args);
  };

  const pickle = new Pickler(writeTensor).dump(root);
  return { pickle, storages };
}
