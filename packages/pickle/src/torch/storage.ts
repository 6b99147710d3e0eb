import { Tensor, itemSize, type ByteSource, type DType, type Node } from "@ckpt/core";
import { PickleValue } from "../vm/values.js";
import { printable } from "../vm/printable.js";

/**
 * A torch storage met in a pickle: a flat run of `numel` elements of `dtype`
 * (bytes, for an untyped storage) behind a lazy byte source. Tensors are views of it.
 */
export class TorchStorage extends PickleValue {
  constructor(
    readonly key: string,
    readonly dtype: DType,
    readonly numel: number,
    readonly source: ByteSource,
    /** The class path the pickle used ("torch.FloatStorage"). */
    readonly storageClass: string,
    readonly location: string,
  ) {
    super();
  }

  describe(): string {
    return `torch storage ${printable(this.key)}`;
  }

  get byteLength(): number {
    return this.numel * itemSize(this.dtype);
  }

  /** A storage kept as data by itself becomes a 1-D tensor of its elements, marked as such. */
  toNode(): Node {
    return new Tensor(this.dtype, [this.numel], this.source, { storage: true, storageClass: this.storageClass, location: this.location });
  }
}
