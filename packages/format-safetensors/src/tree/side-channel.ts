import { CkptError, JsonSyntaxError, attrsFromMap, corrupt, parsePythonJson, type Node, type PyMap, type Tensor } from "@ckpt/core";
import { fromTaggedJson, stringifyJson } from "./tagged-json.js";

/** The `__metadata__` key that holds the whole tree (model.md §2). */
export const TREE_KEY = "ckpt.tree";

/**
 * `__metadata__` for a tree written with its side channel: `format: "pt"` (what HF
 * tools expect), every string-valued entry of the tree's `metadata` mirrored as a
 * plain key for other tools, then `ckpt.tree`, the tree itself. The mirrors are copies
 * only; reading restores everything from `ckpt.tree`.
 */
export function sideChannelMetadata(root: PyMap, skeleton: Node): Map<string, string> {
  const out = new Map<string, string>([["format", "pt"]]);
  const metadata = root.get("metadata");
  if (metadata instanceof Map) {
    for (const [key, value] of metadata) {
      if (typeof key === "string" && typeof value === "string" && key !== TREE_KEY && key !== "format") out.set(key, value);
    }
  }
  out.set(TREE_KEY, stringifyJson(skeleton));
  return out;
}

/**
 * The full tree from `ckpt.tree`, its `{"$tensor": name}` references resolved against
 * the header's tensors. Tensors the tree does not mention (added by another tool) are
 * kept at the root under their stored names, with a warning.
 */
export function restoreTree(text: string, tensors: ReadonlyMap<string, Tensor>, file: string, warn: (message: string) => void): PyMap {
  const fail = (message: string) => corrupt(`__metadata__["${TREE_KEY}"]: ${message}`, file);
  let json: Node;
  try {
    json = parsePythonJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw fail(`not valid JSON (${error.message})`);
    throw error;
  }
  const used = new Set<string>();
  const root = fromTaggedJson(json, (ref) => {
    const name = ref.get("$tensor");
    if (typeof name !== "string") throw fail("a $tensor reference is not a name");
    const tensor = tensors.get(name);
    if (!tensor) throw fail(`refers to tensor ${JSON.stringify(name)}, which the file does not hold`);
    used.add(name);
    const attrs = ref.get("$attrs");
    if (attrs === undefined) return tensor;
    if (!(attrs instanceof Map)) throw fail(`$attrs of ${JSON.stringify(name)} is not a map`);
    const decoded = fromTaggedJson(attrs, () => null, fail) as PyMap;
    return tensor.with({ attrs: attrsFromMap(decoded) });
  }, fail);
  if (!(root instanceof Map)) throw fail("the tree is not a map");
  const extra = [...tensors.keys()].filter((name) => !used.has(name));
  for (const name of extra) {
    if (root.has(name)) throw new CkptError("CORRUPT", `tensor ${JSON.stringify(name)} is not in ${TREE_KEY}, and its name is taken at the root`, { file });
    root.set(name, tensors.get(name)!);
  }
  if (extra.length > 0) warn(`${file}: ${extra.length} tensor(s) not described by ${TREE_KEY} kept at the root under their stored names`);
  return root;
}
