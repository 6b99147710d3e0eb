import { CkptError, ComputedSource, Tensor, bf16ToF32, f16ToF32, f32ToBf16, f32ToF16, itemSize, numelOf, type DType } from "@ckpt/core";
import { argError, expectBool, expectCount, expectSequence, expectCount64 } from "../vm/args.js";
import type { CallContext, KnownGlobal } from "../vm/globals.js";
import { GlobalRef, aKind, kindName, type Value } from "../vm/values.js";
import { printable } from "../vm/printable.js";

/** The largest dense tensor a sparse one may be expanded to in memory. */
const MAX_DENSE_BYTES = 2 ** 32;

/** Layout globals, and `torch.serialization._get_layout(name)` which names one. */
export const SPARSE_COO = "torch.sparse_coo";

function expectTensor(ctx: CallContext, value: Value | undefined, what: string): Tensor {
  if (value instanceof Tensor) return value;
  throw argError(ctx, `${value === undefined ? "a missing value" : aKind(value)} as ${what}`);
}

/** Typed-array view of aligned bytes (copied when the bytes are not aligned). */
function aligned(bytes: Uint8Array, width: number): Uint8Array {
  return bytes.byteOffset % width === 0 ? bytes : bytes.slice();
}

type Lanes = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** Accumulation lanes per dtype: where the dense sum is kept, and how bytes map to it. */
function lanesFor(dtype: DType): { make(n: number): Lanes; view(bytes: Uint8Array): Lanes; perElement: number; out?(lanes: Lanes): Uint8Array } {
  const plain = <T extends Lanes>(ctor: { new (n: number): T; new (b: ArrayBufferLike, o: number, n: number): T; BYTES_PER_ELEMENT: number }, perElement = 1) => ({
    make: (n: number) => new ctor(n),
    view: (b: Uint8Array) => {
      const a = aligned(b, ctor.BYTES_PER_ELEMENT);
      return new ctor(a.buffer, a.byteOffset, a.byteLength / ctor.BYTES_PER_ELEMENT);
    },
    perElement,
  });
  switch (dtype) {
    case "f64": return plain(Float64Array);
    case "f32": return plain(Float32Array);
    case "c64": return plain(Float32Array, 2);
    case "c128": return plain(Float64Array, 2);
    case "i64": return plain(BigInt64Array);
    case "u64": return plain(BigUint64Array);
    case "i32": return plain(Int32Array);
    case "u32": return plain(Uint32Array);
    case "i16": return plain(Int16Array);
    case "u16": return plain(Uint16Array);
    case "i8": return plain(Int8Array);
    case "u8":
    case "bool": return plain(Uint8Array);
    case "f16":
    case "bf16": {
      // Summed in float32 and rounded once, as PyTorch's CPU kernels do.
      const toF32 = dtype === "f16" ? f16ToF32 : bf16ToF32;
      const fromF32 = dtype === "f16" ? f32ToF16 : f32ToBf16;
      return {
        make: (n: number) => new Float32Array(n),
        view: (b: Uint8Array) => {
          const a = aligned(b, 2);
          return toF32(new Uint16Array(a.buffer, a.byteOffset, a.byteLength / 2));
        },
        perElement: 1,
        out: (lanes: Lanes) => {
          const half = fromF32(lanes as Float32Array);
          return new Uint8Array(half.buffer, half.byteOffset, half.byteLength);
        },
      };
    }
    default:
      throw new CkptError("UNSUPPORTED", `sparse tensors of dtype ${dtype} are not supported`);
  }
}

/**
 * COO → dense: zeros, plus every value added at its index (duplicates of an
 * uncoalesced tensor add up, as `to_dense()` does; bool ORs). Runs only when the
 * bytes are asked for.
 */
function densify(indices: Tensor, values: Tensor, size: number[], sparseDims: number, nnz: number): () => Promise<Uint8Array> {
  const dtype = values.dtype;
  const numel = numelOf(size);
  const block = numelOf(size.slice(sparseDims)); // dense elements per index
  return async () => {
    const lanes = lanesFor(dtype);
    const dense = lanes.make(numel * lanes.perElement);
    const idxBytes = aligned(await indices.source.read(), 8);
    const idx = new BigInt64Array(idxBytes.buffer, idxBytes.byteOffset, indices.numel);
    const vals = lanes.view(await values.source.read());
    const strides = new Array<number>(sparseDims);
    for (let d = sparseDims - 1, s = block; d >= 0; d--) {
      strides[d] = s;
      s *= size[d]!;
    }
    const width = block * lanes.perElement;
    for (let j = 0; j < nnz; j++) {
      let at = 0;
      for (let d = 0; d < sparseDims; d++) {
        const i = idx[d * nnz + j]!;
        if (i < 0n || i >= BigInt(size[d]!)) {
          throw new CkptError("CORRUPT", `sparse tensor index ${i} is outside dimension ${d} of size ${size[d]}`);
        }
        at += Number(i) * strides[d]!;
      }
      const to = at * lanes.perElement;
      const from = j * width;
      if (dtype === "bool") {
        for (let k = 0; k < width; k++) (dense as Uint8Array)[to + k] = (dense as Uint8Array)[to + k]! | (vals as Uint8Array)[from + k]! ? 1 : 0;
      } else if (dense instanceof BigInt64Array || dense instanceof BigUint64Array) {
        const wide = vals as BigInt64Array | BigUint64Array;
        for (let k = 0; k < width; k++) dense[to + k] = dense[to + k]! + wide[from + k]!;
      } else {
        const narrow = vals as Float64Array;
        for (let k = 0; k < width; k++) (dense as Float64Array)[to + k] = (dense as Float64Array)[to + k]! + narrow[from + k]!;
      }
    }
    if (lanes.out) return lanes.out(dense);
    return new Uint8Array(dense.buffer, dense.byteOffset, dense.byteLength);
  };
}

/** `_rebuild_sparse_tensor(layout, (indices, values, size[, is_coalesced]))`, COO only: a dense tensor, lazily. */
const rebuildSparse: KnownGlobal = {
  call(args, ctx) {
    expectCount(ctx, args, 2);
    const [layout, data] = args;
    const name = layout instanceof GlobalRef ? layout.qualifiedName : kindName(layout!);
    if (name !== SPARSE_COO) throw new CkptError("UNSUPPORTED", `pickle has a sparse tensor of layout ${printable(name)}; ckpt reads sparse_coo only`);
    const parts = expectSequence(ctx, data, "the sparse data");
    if (parts.length < 3 || parts.length > 4) throw argError(ctx, `${parts.length} sparse data items (expects 3 or 4)`);
    const indices = expectTensor(ctx, parts[0], "the indices");
    const values = expectTensor(ctx, parts[1], "the values");
    const size = expectSequence(ctx, parts[2], "the size").map((n) => expectCount64(ctx, n, "size entry"));
    if (parts[3] !== undefined) expectBool(ctx, parts[3], "is_coalesced");

    if (indices.dtype !== "i64" || indices.shape.length !== 2) throw argError(ctx, `indices of ${indices.dtype}[${indices.shape.join(", ")}] (expects a 2-D int64 tensor)`);
    const [sparseDims, nnz] = indices.shape as [number, number];
    const denseShape = size.slice(sparseDims);
    const expectValues = [nnz, ...denseShape];
    if (sparseDims > size.length || values.shape.length !== expectValues.length || values.shape.some((n, i) => n !== expectValues[i])) {
      throw argError(ctx, `values of shape [${values.shape.join(", ")}] for ${nnz} entries of a [${size.join(", ")}] tensor`);
    }
    let numel: number;
    try {
      numel = numelOf(size);
    } catch {
      throw argError(ctx, `an impossible size [${size.join(", ")}]`);
    }
    const bytes = numel * itemSize(values.dtype);
    if (bytes > MAX_DENSE_BYTES) {
      throw new CkptError("LIMIT", `sparse tensor [${size.join(", ")}] would take ${bytes} bytes when made dense (limit ${MAX_DENSE_BYTES})`);
    }
    lanesFor(values.dtype); // refuse unsupported dtypes now rather than on first read
    return new Tensor(values.dtype, size, new ComputedSource(bytes, densify(indices, values, size, sparseDims, nnz)), { layout: "sparse_coo" });
  },
};

/** `torch.serialization._get_layout("torch.sparse_coo")` → the layout global. */
function getLayout(layouts: ReadonlyMap<string, KnownGlobal>): KnownGlobal {
  return {
    call(args, ctx) {
      expectCount(ctx, args, 1);
      const name = args[0];
      if (typeof name !== "string") throw argError(ctx, `${aKind(name!)} as the layout name`);
      const known = layouts.get(name);
      if (!known) throw new CkptError("UNSUPPORTED", `pickle names tensor layout ${printable(name)}, which ckpt does not know`);
      return new GlobalRef(name, known);
    },
  };
}

const LAYOUT: KnownGlobal = {};
const LAYOUTS = new Map<string, KnownGlobal>([
  [SPARSE_COO, LAYOUT],
  ["torch.strided", LAYOUT],
  ["torch.sparse_csr", LAYOUT],
  ["torch.sparse_csc", LAYOUT],
  ["torch.sparse_bsr", LAYOUT],
  ["torch.sparse_bsc", LAYOUT],
]);

export const SPARSE_GLOBALS: [string, KnownGlobal][] = [
  ["torch._utils._rebuild_sparse_tensor", rebuildSparse],
  ["torch.serialization._get_layout", getLayout(LAYOUTS)],
  ...LAYOUTS,
];
