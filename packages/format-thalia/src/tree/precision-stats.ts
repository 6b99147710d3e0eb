import type { DType, Node, PyMap, Tensor } from "@ckpt/core";

type Bucket = "fp32" | "fp16" | "fp64" | "int" | "other";
const BUCKETS: readonly Bucket[] = ["fp32", "fp16", "fp64", "int", "other"];
const MIB = 1024 * 1024;

function bucketOf(dtype: DType): Bucket {
  if (dtype === "f32") return "fp32";
  if (dtype === "f16") return "fp16";
  if (dtype === "f64") return "fp64";
  return /^[iu]\d+$/.test(dtype) ? "int" : "other";
}

/** `precision_stats` as the reference writes it: count, bytes, MiB and share per dtype class. */
export function precisionStats(tensors: Iterable<Tensor>): PyMap {
  const count = new Map<Bucket, number>(BUCKETS.map((b) => [b, 0]));
  const bytes = new Map<Bucket, number>(BUCKETS.map((b) => [b, 0]));
  let total = 0;
  for (const tensor of tensors) {
    const bucket = bucketOf(tensor.dtype);
    count.set(bucket, count.get(bucket)! + 1);
    bytes.set(bucket, bytes.get(bucket)! + tensor.byteLength);
    total += tensor.byteLength;
  }
  const stats: PyMap = new Map();
  for (const bucket of BUCKETS) {
    const b = bytes.get(bucket)!;
    stats.set(bucket, new Map<string, Node>([
      ["count", BigInt(count.get(bucket)!)],
      ["bytes", BigInt(b)],
      ["mb", b / MIB],
      ["percent", total > 0 ? (b * 100) / total : 0], // the reference multiplies first
    ]));
  }
  stats.set("total_mb", total / MIB);
  return stats;
}
