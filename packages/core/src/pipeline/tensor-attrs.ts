import { walkTensors, type PyMap } from "../model/node.js";
import type { FormatPlugin } from "../plugin/format.js";

/**
 * Tensor attributes in `root` that `format` does not keep, with how many tensors carry
 * each: a conversion reports them instead of dropping them silently.
 */
export function unkeptTensorAttrs(root: PyMap, format: FormatPlugin): Map<string, number> {
  const kept = format.capabilities.tensorAttrs ?? [];
  const unkept = new Map<string, number>();
  if (kept === "all") return unkept;
  for (const { tensor } of walkTensors(root)) {
    for (const name of Object.keys(tensor.attrs)) {
      if (!kept.includes(name)) unkept.set(name, (unkept.get(name) ?? 0) + 1);
    }
  }
  return unkept;
}
