import { OpaqueObject, Tensor, Tuple, type Key, type Node, type PyMap } from "@ckpt/core";

/**
 * How a state tree becomes the JSON the reference reads, and back. Tensors become
 * `{"_type": "tensor", "_offset", "_bytes"}` references and dataclasses
 * `{"_dataclass", "_fields"}`, as the reference writes them. Kinds JSON lacks are
 * tagged with `"_ckpt"` so nothing is lost (the reference reader sees plain dicts):
 * tuples, bytes, maps with non-string or reserved keys, other opaque objects.
 */

export const TAG = "_ckpt";

/** A map is written as-is only when every key is a string and none could be mistaken for a tag. */
function isPlainStringMap(map: PyMap): boolean {
  for (const key of map.keys()) {
    if (typeof key !== "string" || key === TAG || key === "_dataclass") return false;
  }
  return !(map.get("_type") === "tensor");
}

/** The JSON tree for `node`; `onTensor` is called in JSON order and returns the reference to write. */
export function toJsonTree(node: Node, onTensor: (tensor: Tensor) => PyMap): Node {
  if (node instanceof Tensor) return onTensor(node);
  if (node instanceof Map) {
    if (isPlainStringMap(node)) {
      const out: PyMap = new Map();
      for (const [key, value] of node) out.set(key, toJsonTree(value, onTensor));
      return out;
    }
    const entries = [...node].map(([key, value]) => [toJsonTree(key as Node, onTensor), toJsonTree(value, onTensor)]);
    return tagged("map", [["entries", entries]]);
  }
  if (Array.isArray(node)) return node.map((item) => toJsonTree(item, onTensor));
  if (node instanceof Tuple) return tagged("tuple", [["items", node.items.map((item) => toJsonTree(item, onTensor))]]);
  if (node instanceof Uint8Array) return tagged("bytes", [["base64", Buffer.from(node).toString("base64")]]);
  if (node instanceof OpaqueObject) {
    if (node.variant === "dataclass" && node.args.length === 0 && node.state instanceof Map && isPlainStringMap(node.state)) {
      return new Map<string, Node>([["_dataclass", node.className], ["_fields", toJsonTree(node.state, onTensor)]]);
    }
    const fields: [string, Node][] = [["class", node.className], ["variant", node.variant], ["args", node.args.map((a) => toJsonTree(a, onTensor))]];
    if (node.state !== undefined) fields.push(["state", toJsonTree(node.state, onTensor)]);
    return tagged("object", fields);
  }
  return node;
}

function tagged(kind: string, fields: [string, Node][]): PyMap {
  return new Map<string, Node>([[TAG, kind], ...fields]);
}

/** A tensor reference found in JSON, before its record is read. */
export interface TensorRef {
  offset: number;
  bytes: number;
  dtype: string | undefined;
  /** The tensor's attributes as ckpt wrote them (`_attrs`), still as JSON. */
  attrs: PyMap | undefined;
}

/**
 * The state tree for a JSON tree. Tensor references are handed to `resolve`, which
 * returns the Tensor (read lazily from its record).
 */
export async function fromJsonTree(node: Node, resolve: (ref: TensorRef) => Promise<Tensor>): Promise<Node> {
  if (Array.isArray(node)) {
    const out: Node[] = [];
    for (const item of node) out.push(await fromJsonTree(item, resolve));
    return out;
  }
  if (!(node instanceof Map)) return node;
  if (node.get("_type") === "tensor" && typeof node.get("_offset") === "bigint" && typeof node.get("_bytes") === "bigint") {
    const dtype = node.get("_dtype");
    const attrs = node.get("_attrs");
    return resolve({
      offset: Number(node.get("_offset")),
      bytes: Number(node.get("_bytes")),
      dtype: typeof dtype === "string" ? dtype : undefined,
      attrs: attrs instanceof Map ? attrs : undefined,
    });
  }
  if (typeof node.get("_dataclass") === "string" && node.get("_fields") instanceof Map) {
    return new OpaqueObject(node.get("_dataclass") as string, [], await fromJsonTree(node.get("_fields")!, resolve), "dataclass");
  }
  const kind = node.get(TAG);
  const list = async (value: Node | undefined) => (Array.isArray(value) ? ((await fromJsonTree(value, resolve)) as Node[]) : []);
  switch (kind) {
    case "tuple": return new Tuple(await list(node.get("items")));
    case "bytes": return new Uint8Array(Buffer.from(String(node.get("base64") ?? ""), "base64"));
    case "map": {
      const out: PyMap = new Map();
      for (const pair of await list(node.get("entries"))) {
        const [key, value] = Array.isArray(pair) ? pair : [];
        out.set(asKey(key ?? null), value ?? null);
      }
      return out;
    }
    case "object": {
      const state = node.has("state") ? await fromJsonTree(node.get("state")!, resolve) : undefined;
      return new OpaqueObject(String(node.get("class")), await list(node.get("args")), state, String(node.get("variant") ?? "reduce"));
    }
  }
  const out: PyMap = new Map();
  for (const [key, value] of node) out.set(key, await fromJsonTree(value, resolve));
  return out;
}

function asKey(node: Node): Key {
  if (node === null || typeof node === "string" || typeof node === "bigint" || typeof node === "number" || typeof node === "boolean" || node instanceof Tuple) return node;
  return String(node);
}
