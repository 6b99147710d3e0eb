import { attrsAsMap, type Node, type PathStep, type PyMap, type Tensor } from "@ckpt/core";
import { FILE_METADATA_ATTR, isFlatShaped } from "./flat.js";
import { NameAllocator, dottedName } from "./paths.js";
import { toTaggedJson } from "./tagged-json.js";

export interface NamedTensor {
  name: string;
  tensor: Tensor;
  /** Where it sits, for messages. */
  path: string;
}

export interface FlattenedTree {
  /** Every tensor occurrence under its stored name, in tree order (a shared tensor once per path). */
  tensors: NamedTensor[];
  /** The tree as tagged JSON with each tensor replaced by `{"$tensor": name}`: the content of `ckpt.tree`. */
  skeleton: Node;
}

/**
 * Names every tensor and builds the `ckpt.tree` skeleton. A flat-shaped root (string
 * keys → tensors, a state_dict) keeps its keys as stored names, so other tools see the
 * names they expect; any other tree stores tensors under escaped dotted paths.
 */
export function flattenTree(root: PyMap): FlattenedTree {
  const names = new NameAllocator();
  const verbatim = isFlatShaped(root);
  const tensors: NamedTensor[] = [];
  const skeleton = toTaggedJson(root, (tensor: Tensor, path: readonly PathStep[]) => {
    const wanted = verbatim ? (path[0] as string) : dottedName(path);
    const name = names.allocate(wanted);
    tensors.push({ name, tensor, path: dottedName(path) });
    const ref: PyMap = new Map<string, Node>([["$tensor", name]]);
    // The file-metadata hint is the file's business, not the tensor's.
    const attrs = attrsAsMap(tensor, [FILE_METADATA_ATTR]);
    if (attrs) ref.set("$attrs", toTaggedJson(attrs, () => null));
    return ref;
  });
  return { tensors, skeleton };
}

