import { CkptError, ComputedSource, Tensor, type DType } from "@ckpt/core";

/**
 * Dtypes the container lacks are stored widened, losslessly, with the original dtype
 * recorded on the tensor reference as `"_dtype"` (model.md §2); reading narrows them back.
 * Complex tensors are stored as their float pairs (an extra last dimension of 2).
 */
const STORED_AS: Partial<Record<DType, DType>> = {
  bf16: "f32",
  i8: "i32", u8: "i32", i16: "i32", u16: "i32",
  u32: "i64", u64: "i64",
  c64: "f32", c128: "f64",
  f8_e4m3: "i32", f8_e5m2: "i32",
};

/** The tensor as the container can hold it, and the dtype to restore (undefined when native). */
export function widen(tensor: Tensor): { stored: Tensor; original: DType | undefined } {
  const target = STORED_AS[tensor.dtype];
  if (!target) return { stored: tensor, original: undefined };
  const from = tensor.dtype;
  const isComplex = from === "c64" || from === "c128";
  const shape = isComplex ? [...tensor.shape, 2] : tensor.shape;
  const width = target === "i64" || target === "f64" ? 8 : 4;
  const source = from === "u64" || isComplex
    ? tensor.source // the same bytes, reinterpreted
    : new ComputedSource(tensor.numel * width, async () => widenBytes(from, await tensor.source.read(), tensor.numel));
  return { stored: new Tensor(target, shape, source, tensor.attrs), original: from };
}

function widenBytes(from: DType, bytes: Uint8Array, numel: number): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (from === "u32") {
    const out = new BigInt64Array(numel);
    for (let i = 0; i < numel; i++) out[i] = BigInt(view.getUint32(i * 4, true));
    return new Uint8Array(out.buffer);
  }
  if (from === "bf16") {
    const out = new Uint32Array(numel);
    for (let i = 0; i < numel; i++) out[i] = view.getUint16(i * 2, true) << 16;
    return new Uint8Array(out.buffer);
  }
  const out = new Int32Array(numel);
  const read: (i: number) => number =
    from === "i8" ? (i) => view.getInt8(i)
    : from === "i16" ? (i) => view.getInt16(i * 2, true)
    : from === "u16" ? (i) => view.getUint16(i * 2, true)
    : (i) => view.getUint8(i); // u8 and the f8 bit patterns
  for (let i = 0; i < numel; i++) out[i] = read(i);
  return new Uint8Array(out.buffer);
}

/** The inverse of `widen`: checks that every value fits, since a damaged file might not. */
export function narrow(stored: Tensor, original: DType, file: string): Tensor {
  if (STORED_AS[original] !== stored.dtype) {
    throw new CkptError("CORRUPT", `tensor stored as ${stored.dtype} cannot carry original dtype ${original}`, { file });
  }
  if (original === "c64" || original === "c128") {
    if (stored.shape.at(-1) !== 2) throw new CkptError("CORRUPT", `complex tensor stored without its trailing pair dimension`, { file });
    return new Tensor(original, stored.shape.slice(0, -1), stored.source, stored.attrs);
  }
  if (original === "u64") return new Tensor(original, stored.shape, stored.source, stored.attrs);
  const width = original === "u32" ? 4 : original === "bf16" || original === "i16" || original === "u16" ? 2 : 1;
  const numel = stored.numel;
  return new Tensor(original, stored.shape, new ComputedSource(numel * width, async () => {
    const bytes = await stored.source.read();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Uint8Array(numel * width);
    const outView = new DataView(out.buffer);
    const fail = (i: number) => {
      throw new CkptError("CORRUPT", `element ${i} of a widened ${original} tensor is out of range`, { file });
    };
    for (let i = 0; i < numel; i++) {
      if (original === "u32") {
        const v = view.getBigInt64(i * 8, true);
        if (v < 0n || v > 0xffffffffn) fail(i);
        outView.setUint32(i * 4, Number(v), true);
        continue;
      }
      const v = view.getInt32(i * 4, true);
      switch (original) {
        case "bf16": if ((v & 0xffff) !== 0) fail(i); outView.setUint16(i * 2, v >>> 16, true); break;
        case "i16": if (v < -32768 || v > 32767) fail(i); outView.setInt16(i * 2, v, true); break;
        case "u16": if (v < 0 || v > 65535) fail(i); outView.setUint16(i * 2, v, true); break;
        case "i8": if (v < -128 || v > 127) fail(i); outView.setInt8(i, v); break;
        default: if (v < 0 || v > 255) fail(i); outView.setUint8(i, v);
      }
    }
    return out;
  }), stored.attrs);
}
