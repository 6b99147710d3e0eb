import { kindOf, type Node, type PyMap } from "./node.js";
import { Tensor } from "./tensor.js";

/**
 * A tensor's attributes (format hints such as PyTorch's `parameter`, `requiresGrad`) as a
 * map of tree nodes, for formats that carry them in their own metadata; `skip` names
 * attributes the caller stores elsewhere. Values that are not tree nodes are left out.
 */
export function attrsAsMap(tensor: Tensor, skip: readonly string[] = []): PyMap | undefined {
  const out: PyMap = new Map();
  for (const [key, value] of Object.entries(tensor.attrs)) {
    if (!skip.includes(key) && isAttrNode(value)) out.set(key, value);
  }
  return out.size > 0 ? out : undefined;
}

/** The attributes `attrsAsMap` gave, back as a tensor's `attrs` record (string keys only). */
export function attrsFromMap(map: PyMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of map) if (typeof key === "string") out[key] = value;
  return out;
}

function isAttrNode(value: unknown): value is Node {
  if (value === undefined || value instanceof Tensor) return false;
  try {
    kindOf(value as Node);
    return true;
  } catch {
    return false;
  }
}
