import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Registry, Tuple, type Key, type Node } from "@ckpt/core";
import pt from "@ckpt/format-pt";
import thalia from "@ckpt/format-thalia";
import safetensors from "@ckpt/format-safetensors";
import zstd from "@ckpt/compress-zstd";
import lz4 from "@ckpt/compress-lz4";
import thaliaBrain from "../src/index.js";

/** The shared fixtures: `../shared/fixtures` beside the repository (CKPT_FIXTURES overrides). */
export const FIXTURES = process.env.CKPT_FIXTURES ?? fileURLToPath(new URL("../../../../shared/fixtures/", import.meta.url));
export const reference = (name: string) => join(FIXTURES, "reference", name);

export const V1_FIXTURES = ["brain_v1.thalia", "brain_v1.torch113.pt", "brain_v1.torch26.pt"];
export const V2_FIXTURES = [
  "brain_v2.thalia", "brain_v2.thalia.lz4", "brain_v2.thalia.zst", "brain_v2.torch113.ckpt", "brain_v2.torch26.ckpt",
  "brain_v2_flat.safetensors", "brain_v2_fp16.thalia", "brain_v2_mixed.thalia.zst",
];

/** Format and codec plugins, with or without this migration plugin. */
export function registry(withMigration = true): Registry {
  const r = new Registry().use(pt).use(thalia).use(safetensors).use(zstd).use(lz4);
  return withMigration ? r.use(thaliaBrain) : r;
}

export interface Leaf {
  path: string[];
  value: string;
}

/**
 * Every leaf of a canonical manifest tree: a tensor (`$tensor` entry) as its dtype, shape
 * and hash, a scalar as its kind and value, an empty container as `{}` / `[]`.
 */
export function leaves(tree: Node): Leaf[] {
  const out: Leaf[] = [];
  const visit = (node: Node, path: string[]): void => {
    if (node instanceof Map) {
      const tensor = node.get("$tensor");
      if (tensor instanceof Map) {
        out.push({ path, value: `tensor ${String(tensor.get("dtype"))} ${String(tensor.get("shape"))} ${String(tensor.get("sha256"))}` });
        return;
      }
      if (node.has("$float") && node.size === 1) {
        out.push({ path, value: `float ${String(node.get("$float"))}` });
        return;
      }
      if (node.size === 0) out.push({ path, value: "{}" });
      for (const [key, child] of node) visit(child, [...path, String(key as Key)]);
      return;
    }
    if (Array.isArray(node) || node instanceof Tuple) {
      const items = Array.isArray(node) ? node : node.items;
      if (items.length === 0) out.push({ path, value: "[]" });
      items.forEach((child, i) => visit(child, [...path, `[${i}]`]));
      return;
    }
    out.push({ path, value: `${node === null ? "none" : typeof node} ${String(node)}` });
  };
  visit(tree, []);
  return out;
}

export function at(tree: Node, path: readonly string[]): Node | undefined {
  let node: Node | undefined = tree;
  for (const step of path) {
    if (node instanceof Map) node = node.get(step);
    else if (Array.isArray(node) && /^\[\d+\]$/.test(step)) node = node[Number(step.slice(1, -1))];
    else return undefined;
  }
  return node;
}
