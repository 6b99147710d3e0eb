import { CkptError, DTYPES, type Checkpoint, type Tensor } from "@ckpt/core";
import { NATIVE_DTYPES, dtypeFor, type SafetensorsDType } from "../dtypes.js";
import { renderHeader } from "../header/render.js";
import { fileMetadataOf, isPlainFlat } from "../tree/flat.js";
import { flattenTree } from "../tree/flatten.js";
import { sideChannelMetadata } from "../tree/side-channel.js";

export interface PlannedTensor {
  name: string;
  tensor: Tensor;
  dtype: SafetensorsDType;
  begin: number;
  end: number;
}

export interface WritePlan {
  /** The first 8 + N bytes. */
  header: Uint8Array;
  /** In storage order, back to back from offset 0 of the data buffer. */
  tensors: PlannedTensor[];
  totalSize: number;
}

// One plan per checkpoint, shared by encodedSize() and encode().
const planned = new WeakMap<Checkpoint, WritePlan>();

/**
 * Everything about the file but the tensor bytes, from shapes alone. A plain flat
 * tree (name → tensor, as any other safetensors writer would be given) is written as
 * the reference writes it, with only the `__metadata__` it came with; any other tree
 * gets its side channel (`ckpt.tree` and friends).
 */
export function planFile(checkpoint: Checkpoint, file: string): WritePlan {
  const known = planned.get(checkpoint);
  if (known) return known;
  const root = checkpoint.root;
  const { tensors, skeleton } = flattenTree(root);
  const metadata = isPlainFlat(root) ? fileMetadataOf(root) : sideChannelMetadata(root, skeleton);

  const typed = tensors.map((t) => {
    const dtype = dtypeFor(t.tensor.dtype);
    if (!dtype) {
      const others = DTYPES.filter((d) => !NATIVE_DTYPES.includes(d));
      throw new CkptError("UNSUPPORTED", `tensor ${JSON.stringify(t.path)} is ${t.tensor.dtype}, which safetensors cannot store (it lacks ${others.join(", ")}); convert it first, e.g. with a precision policy`, { file });
    }
    return { ...t, dtype, key: Buffer.from(t.name, "utf8") };
  });
  // The reference's storage order: dtype rank, then name in UTF-8 byte order.
  typed.sort((a, b) => a.dtype.order - b.dtype.order || Buffer.compare(a.key, b.key));

  let at = 0;
  const placed: PlannedTensor[] = typed.map(({ name, tensor, dtype }) => {
    const begin = at;
    at += tensor.byteLength;
    return { name, tensor, dtype, begin, end: at };
  });
  const header = renderHeader(metadata, placed.map((t) => ({ name: t.name, dtype: t.dtype.name, shape: t.tensor.shape, begin: t.begin, end: t.end })));
  const plan = { header, tensors: placed, totalSize: header.byteLength + at };
  planned.set(checkpoint, plan);
  return plan;
}
