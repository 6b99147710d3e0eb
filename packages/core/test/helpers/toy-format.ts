import {
  OpaqueObject, Tensor, Tuple, dumpPythonJson, parsePythonJson, type Checkpoint, type FormatPlugin, type Node, type PyMap, type DType, type Key,
} from "../../src/index.js";

/**
 * A tiny format for exercising the pipeline: "TOYJ\n" + Python-style JSON of the tree,
 * every node kind tagged so it survives the trip. Not a ckpt format; test scaffolding.
 */
export const toyFormat: FormatPlugin = {
  kind: "format",
  id: "toy",
  extensions: [".toy"],
  identify: (head) => (Buffer.from(head.subarray(0, 5)).toString("latin1") === "TOYJ\n" ? "yes" : "no"),
  capabilities: { dtypes: ["f32", "f16", "f64", "i64", "bool"], nodeKinds: ["map", "list", "tuple", "int", "float", "str", "bytes", "bool", "none", "tensor", "object"] },
  async decode(input) {
    const text = Buffer.from(await input.file.read(0, input.file.size)).toString("utf8");
    if (!text.startsWith("TOYJ\n")) throw new Error("not a toy file");
    return { root: untag(parsePythonJson(text.slice(5))) as PyMap };
  },
  async *encode(checkpoint: Checkpoint) {
    yield Buffer.from("TOYJ\n" + dumpPythonJson(await tag(checkpoint.root)), "utf8");
  },
};

async function tag(node: Node): Promise<Node> {
  if (node instanceof Tensor) {
    return new Map<string, Node>([["$tensor", node.dtype], ["shape", node.shape.map(BigInt)], ["b64", Buffer.from(await node.source.read()).toString("base64")]]);
  }
  if (node instanceof Map) {
    const entries: Node[] = [];
    for (const [key, value] of node) entries.push([await tag(key as Node), await tag(value)]);
    return new Map([["$map", entries]]);
  }
  if (Array.isArray(node)) return Promise.all(node.map(tag));
  if (node instanceof Tuple) return new Map([["$tuple", await Promise.all(node.items.map(tag))]]);
  if (node instanceof Uint8Array) return new Map([["$bytes", Buffer.from(node).toString("base64")]]);
  if (node instanceof OpaqueObject) return new Map<string, Node>([["$object", node.className], ["args", await Promise.all(node.args.map(tag))]]);
  return node;
}

function untag(node: Node): Node {
  if (Array.isArray(node)) return node.map(untag);
  if (!(node instanceof Map)) return node;
  if (node.has("$tensor")) {
    const bytes = Buffer.from(node.get("b64") as string, "base64");
    return Tensor.fromBytes(node.get("$tensor") as DType, (node.get("shape") as bigint[]).map(Number), new Uint8Array(bytes));
  }
  if (node.has("$map")) return new Map((node.get("$map") as Node[][]).map(([k, v]) => [untag(k!) as Key, untag(v!)]));
  if (node.has("$tuple")) return new Tuple((node.get("$tuple") as Node[]).map(untag));
  if (node.has("$bytes")) return new Uint8Array(Buffer.from(node.get("$bytes") as string, "base64"));
  if (node.has("$object")) return new OpaqueObject(node.get("$object") as string, (node.get("args") as Node[]).map(untag));
  return node;
}
