import { OpaqueObject, OrderedMap, Tensor, Tuple, pyFloatRepr, tensorSha256, type Key, type Node } from "@ckpt/core";

/** The tagged JSON form of a model tree that the Python side of the tests prints (see PY_PRELUDE). */
export type Tagged = null | boolean | string | number | Tagged[] | { [tag: string]: Tagged };

export async function tag(node: Node | Key): Promise<Tagged> {
  if (node === null || typeof node === "boolean" || typeof node === "string") return node;
  if (typeof node === "bigint") return { int: node.toString() };
  if (typeof node === "number") return { float: pyFloatRepr(node) };
  if (node instanceof Uint8Array) return { bytes: Buffer.from(node).toString("hex") };
  if (node instanceof Tensor) {
    return { $tensor: { dtype: node.dtype, shape: [...node.shape], sha256: await tensorSha256(node) } };
  }
  if (node instanceof Map) {
    const pairs: Tagged[] = [];
    for (const [key, value] of node) pairs.push([await tag(key), await tag(value)]);
    return { [node instanceof OrderedMap ? "odict" : "dict"]: pairs };
  }
  if (Array.isArray(node)) return { list: await Promise.all(node.map(tag)) };
  if (node instanceof Tuple) return { tuple: await Promise.all(node.items.map(tag)) };
  if (node instanceof OpaqueObject) {
    if (node.className === "builtins.set" || node.className === "builtins.frozenset") {
      return { [node.className.slice(9)]: await Promise.all((node.args[0] as Node[]).map(tag)) };
    }
    if (node.className === "builtins.complex") return { complex: await Promise.all(node.args.map(tag)) };
    return { object: node.className, args: await Promise.all(node.args.map(tag)), state: node.state === undefined ? null : await tag(node.state), variant: node.variant };
  }
  throw new TypeError("not a node");
}
