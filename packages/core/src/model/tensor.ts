import { itemSize, numelOf, type DType } from "./dtype.js";
import { MemorySource, type ByteSource } from "./byte-source.js";

/**
 * A tensor of the neutral model: dtype, shape and a lazy source of its contiguous,
 * little-endian, row-major bytes. `attrs` carries format hints that are not content
 * (a PyTorch Parameter, requires_grad) so a writer of the same format can restore them.
 */
export class Tensor {
  readonly numel: number;

  constructor(
    readonly dtype: DType,
    readonly shape: readonly number[],
    readonly source: ByteSource,
    readonly attrs: Readonly<Record<string, unknown>> = {},
  ) {
    this.numel = numelOf(shape);
    const expected = this.numel * itemSize(dtype);
    if (source.byteLength !== expected) {
      throw new RangeError(`tensor ${dtype}[${shape.join(", ")}] needs ${expected} bytes, its source has ${source.byteLength}`);
    }
  }

  get byteLength(): number {
    return this.source.byteLength;
  }

  static fromBytes(dtype: DType, shape: readonly number[], bytes: Uint8Array, attrs?: Record<string, unknown>): Tensor {
    return new Tensor(dtype, shape, new MemorySource(bytes), attrs);
  }

  /** The same tensor with other bytes or dtype (used by precision and widening steps). */
  with(changes: { dtype?: DType; source?: ByteSource; attrs?: Record<string, unknown> }): Tensor {
    return new Tensor(changes.dtype ?? this.dtype, this.shape, changes.source ?? this.source, changes.attrs ?? this.attrs);
  }
}
