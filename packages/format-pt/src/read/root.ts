import type { Node, PyMap } from "@ckpt/core";

/**
 * torch.save may pickle any object; the model's root is a map. A non-map root (a bare
 * tensor, a list) is wrapped as `{"$root": value}`, and the writer unwraps exactly that.
 */
export const ROOT_KEY = "$root";

export function wrapRoot(value: Node): PyMap {
  return value instanceof Map ? value : new Map([[ROOT_KEY, value]]);
}

export function unwrapRoot(root: PyMap): Node {
  return root.size === 1 && root.has(ROOT_KEY) ? root.get(ROOT_KEY)! : root;
}
