import { CkptError, ComputedSource, Tensor, itemSize, type Node, type PyMap } from "@ckpt/core";

/**
 * Applies a delta tree to the base's `regions` or `pathways` map (thalia-binary.md):
 * `{"type": "new", "state": S}` adds a region; otherwise each entry of `weights` is
 * `full` (replaced) or `sparse` (values added at indices), and the region's other keys
 * replace the base's where the base has them. Returns a new map; the base is untouched.
 */
export function applyDelta(base: PyMap, changes: Node | undefined, what: string, file: string): PyMap {
  const out: PyMap = new Map(base);
  if (!(changes instanceof Map)) return out;
  for (const [name, change] of changes) {
    if (!(change instanceof Map)) continue;
    if (change.get("type") === "new") {
      out.set(name, change.get("state") ?? null);
      continue;
    }
    const region = out.get(name);
    if (!(region instanceof Map)) throw new CkptError("CORRUPT", `the delta changes ${what} "${String(name)}", which its base does not have`, { file });
    const updated: PyMap = new Map(region);
    for (const [key, value] of change) {
      if (key === "weights") updated.set("weights", applyWeights(region.get("weights"), value, `${what} "${String(name)}"`, file));
      else if (region.has(key) && value !== null) updated.set(key, value);
    }
    out.set(name, updated);
  }
  return out;
}

function applyWeights(base: Node | undefined, changes: Node, where: string, file: string): Node {
  if (!(changes instanceof Map)) return base ?? null;
  const weights: PyMap = new Map(base instanceof Map ? base : []);
  for (const [name, change] of changes) {
    if (!(change instanceof Map)) continue;
    const label = `${where} weights "${String(name)}"`;
    const shape = (change.get("shape") as Node[] | undefined)?.map(Number);
    if (change.get("type") === "full") {
      const tensor = change.get("tensor");
      if (!(tensor instanceof Tensor)) throw new CkptError("CORRUPT", `${label}: a full change without a tensor`, { file });
      if (shape && shape.join() !== tensor.shape.join()) throw new CkptError("CORRUPT", `${label}: tensor shape [${tensor.shape}] differs from the recorded [${shape}]`, { file });
      weights.set(name, tensor);
    } else if (change.get("type") === "sparse") {
      const target = weights.get(name);
      if (!(target instanceof Tensor)) throw new CkptError("CORRUPT", `${label}: a sparse change to a weight the base does not have`, { file });
      weights.set(name, addSparse(target, change.get("indices"), change.get("values"), label, file));
    } else {
      throw new CkptError("CORRUPT", `${label}: unknown change type ${JSON.stringify(String(change.get("type")))}`, { file });
    }
  }
  return weights;
}

/** base + scatter(values at indices[n, ndim]), computed when the bytes are read. */
function addSparse(base: Tensor, indices: Node | undefined, values: Node | undefined, label: string, file: string): Tensor {
  if (!(indices instanceof Tensor) || !(values instanceof Tensor) || indices.dtype !== "i64") throw new CkptError("CORRUPT", `${label}: a sparse change needs i64 indices and values`, { file });
  const ndim = base.shape.length;
  const n = values.numel;
  if (indices.shape.join() !== [n, ndim].join() || values.dtype !== base.dtype) {
    throw new CkptError("CORRUPT", `${label}: indices [${indices.shape}] / values ${values.dtype}[${values.shape}] do not fit a ${base.dtype}[${base.shape}] weight`, { file });
  }
  return base.with({
    source: new ComputedSource(base.byteLength, async () => {
      const out = (await base.source.read()).slice();
      const idx = new BigInt64Array((await indices.source.read()).slice().buffer);
      const add = (await values.source.read()).slice();
      const strides = base.shape.map((_, d) => base.shape.slice(d + 1).reduce((a, b) => a * b, 1));
      const target = typed(base.dtype, out.buffer);
      const delta = typed(base.dtype, add.buffer);
      for (let k = 0; k < n; k++) {
        let linear = 0;
        for (let d = 0; d < ndim; d++) {
          const i = Number(idx[k * ndim + d]);
          if (i < 0 || i >= base.shape[d]!) throw new CkptError("CORRUPT", `${label}: index ${i} out of range for dimension ${d}`, { file });
          linear += i * strides[d]!;
        }
        target[linear] = (target[linear] as number) + (delta[k] as number);
      }
      return out;
    }),
  });
}

function typed(dtype: string, buffer: ArrayBufferLike): Float32Array | Float64Array | Int32Array {
  switch (dtype) {
    case "f32": return new Float32Array(buffer);
    case "f64": return new Float64Array(buffer);
    case "i32": return new Int32Array(buffer);
    default: throw new Error(`sparse deltas on ${dtype} weights (${itemSize(dtype as "f32")}-byte) are not supported`);
  }
}
