import { CkptError, OrderedMap, Tensor, type Node, type PyMap } from "@ckpt/core";
import { splitName } from "./paths.js";

/**
 * A file without `ckpt.tree` reads as a flat map name → tensor. Its `__metadata__` is
 * not tree content (the fixtures' manifests leave it out), so it rides on each tensor
 * under this attribute, a format hint like PyTorch's `requiresGrad`: writing the flat
 * map back to safetensors restores it, other formats ignore it. `ckpt info` shows it.
 */
export const FILE_METADATA_ATTR = "safetensors __metadata__";

/** The `__metadata__` a flat tree came with, if any of its tensors carries it. */
export function fileMetadataOf(root: PyMap): Map<string, string> | undefined {
  for (const value of root.values()) {
    const hint = value instanceof Tensor ? value.attrs[FILE_METADATA_ATTR] : undefined;
    if (hint instanceof Map && [...hint].every(([k, v]) => typeof k === "string" && typeof v === "string")) return hint as Map<string, string>;
  }
  return undefined;
}

/** A map of string keys to tensors only: stored under its keys as they are, like any state_dict. */
export function isFlatShaped(root: PyMap): boolean {
  for (const [key, value] of root) {
    if (typeof key !== "string" || key === "__metadata__" || !(value instanceof Tensor)) return false;
  }
  return true;
}

/**
 * Flat and nothing to add: a plain map (not an OrderedDict) whose tensors carry no
 * attributes but the file-metadata hint. Such a tree is written without `ckpt.tree`,
 * exactly as the reference writer would write the same tensors.
 */
export function isPlainFlat(root: PyMap): boolean {
  if (root instanceof OrderedMap || !isFlatShaped(root)) return false;
  for (const value of root.values()) {
    if (Object.keys((value as Tensor).attrs).some((key) => key !== FILE_METADATA_ATTR)) return false;
  }
  return true;
}

/**
 * Option `unflatten`: dotted names become nested maps (`a.b` → `{a: {b}}`, `\.` and
 * `\\` undone). Every step stays a string key; `metadata` (the file's `__metadata__`)
 * is added at the root when no tensor path uses that name.
 */
export function unflatten(tensors: readonly [string, Tensor][], metadata: Map<string, string> | undefined, file: string): PyMap {
  const root: PyMap = new Map();
  // Which stored name first created each node, to name both sides of a clash.
  const origin = new Map<Node, string>();
  for (const [name, tensor] of tensors) {
    const steps = splitName(name);
    let at = root;
    for (let i = 0; i < steps.length - 1; i++) {
      const step = steps[i]!;
      let child = at.get(step);
      if (child === undefined) {
        child = new Map();
        at.set(step, child);
        origin.set(child, name);
      }
      if (!(child instanceof Map)) throw clash(name, steps.slice(0, i + 1), origin.get(child) ?? "?", file);
      at = child;
    }
    const last = steps[steps.length - 1]!;
    if (at.has(last)) throw clash(name, steps, origin.get(at.get(last)!) ?? "?", file);
    at.set(last, tensor);
    origin.set(tensor, name);
  }
  if (metadata && !root.has("metadata")) root.set("metadata", new Map<string, Node>(metadata));
  return root;
}

function clash(name: string, steps: string[], other: string, file: string): CkptError {
  const path = steps.map((s) => JSON.stringify(s)).join(" → ");
  return new CkptError("UNSUPPORTED", `cannot unflatten ${JSON.stringify(name)}: the path ${path} is already taken by ${JSON.stringify(other)}; read without unflatten`, { file });
}
