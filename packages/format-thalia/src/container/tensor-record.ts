import { constants } from "node:buffer";
import { CkptError, ComputedSource, FileRangeSource, Tensor, itemSize, type DType, type RandomAccessFile } from "@ckpt/core";
import { DTYPE_BY_CODE, ENCODING_DENSE, ENCODING_SPARSE_COO } from "./layout.js";

const MAX_NDIM = 64;

/** Where a region's JSON says a tensor record is. */
export interface RecordRef {
  offset: number;
  bytes: number;
}

/**
 * Reads a tensor record's small header and returns a lazy Tensor: dense data stays a
 * file range; a sparse COO record becomes dense only when its bytes are asked for.
 * Every size the record claims is checked against the record's length first.
 */
export async function readTensorRecord(body: RandomAccessFile, ref: RecordRef, file: string): Promise<Tensor> {
  const where = `tensor record at offset ${ref.offset}`;
  const fail = (problem: string): never => {
    throw new CkptError("CORRUPT", `${where}: ${problem}`, { file });
  };
  if (ref.bytes < 12) fail(`is ${ref.bytes} bytes, too short for a record header`);
  if (ref.offset + ref.bytes > body.size) fail(`(${ref.bytes} bytes) lies past the end of the body (${body.size} bytes)`);
  const head = await body.read(ref.offset, Math.min(ref.bytes, 12 + 4 * MAX_NDIM));
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const encoding = view.getUint32(0, true);
  const dtypeCode = view.getUint32(4, true);
  const ndim = view.getUint32(8, true);
  const dtype: DType | undefined = DTYPE_BY_CODE[dtypeCode];
  if (dtype === undefined) fail(`unknown dtype code ${dtypeCode}`);
  if (encoding !== ENCODING_DENSE && encoding !== ENCODING_SPARSE_COO) fail(`unknown encoding ${encoding}`);
  if (ndim > MAX_NDIM || 12 + 4 * ndim > head.byteLength) fail(`claims ${ndim} dimensions`);
  const shape = Array.from({ length: ndim }, (_, i) => view.getUint32(12 + 4 * i, true));
  const size = itemSize(dtype!);
  const numel = shape.reduce((n, d) => n * BigInt(d), 1n);
  const denseBytes = numel * BigInt(size);
  const headerBytes = 12 + 4 * ndim;

  if (encoding === ENCODING_DENSE) {
    if (BigInt(headerBytes) + denseBytes !== BigInt(ref.bytes)) {
      fail(`claims shape [${shape.join(", ")}] of ${dtype} (${denseBytes} bytes) but the record holds ${ref.bytes - headerBytes}`);
    }
    return new Tensor(dtype!, shape, new FileRangeSource(body, ref.offset + headerBytes, Number(denseBytes)));
  }

  if (ref.bytes < headerBytes + 8) fail("sparse record is too short for its element count");
  const nnz = (await body.read(ref.offset + headerBytes, 8)).reduce((v, byte, i) => v + (BigInt(byte) << BigInt(8 * i)), 0n);
  const expected = BigInt(headerBytes + 8) + nnz * BigInt(ndim) * 8n + nnz * BigInt(size);
  if (expected !== BigInt(ref.bytes)) fail(`sparse record claims ${nnz} elements of shape [${shape.join(", ")}], which needs ${expected} bytes, not ${ref.bytes}`);
  if (nnz > numel) fail(`sparse record has ${nnz} elements for a shape of ${numel}`);
  if (denseBytes > BigInt(constants.MAX_LENGTH)) {
    throw new CkptError("LIMIT", `${where}: a sparse tensor of shape [${shape.join(", ")}] is too large to make dense in memory`, { file });
  }
  const indicesAt = ref.offset + headerBytes + 8;
  const count = Number(nnz);
  const valuesAt = indicesAt + count * ndim * 8;
  return new Tensor(dtype!, shape, new ComputedSource(Number(denseBytes), async () => {
    const indices = await body.read(indicesAt, count * ndim * 8);
    const values = await body.read(valuesAt, count * size);
    return densify(shape, size, indices, values, count, (problem) => fail(problem));
  }));
}

/** Scatters COO values into a zeroed dense buffer, checking every index against the shape. */
function densify(shape: number[], size: number, indexBytes: Uint8Array, values: Uint8Array, nnz: number, fail: (problem: string) => never): Uint8Array {
  const numel = shape.reduce((n, d) => n * d, 1);
  const out = new Uint8Array(numel * size);
  const indices = new DataView(indexBytes.buffer, indexBytes.byteOffset, indexBytes.byteLength);
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((n, x) => n * x, 1));
  for (let k = 0; k < nnz; k++) {
    let linear = 0;
    for (let d = 0; d < shape.length; d++) {
      const index = indices.getBigInt64((d * nnz + k) * 8, true);
      if (index < 0n || index >= BigInt(shape[d]!)) fail(`sparse index ${index} out of range for dimension ${d} of size ${shape[d]}`);
      linear += Number(index) * strides[d]!;
    }
    out.set(values.subarray(k * size, (k + 1) * size), linear * size);
  }
  return out;
}
