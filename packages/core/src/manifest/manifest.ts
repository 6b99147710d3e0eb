import { OpaqueObject, Tuple, keyToString, type Node, type PyMap } from "../model/node.js";
import { Tensor } from "../model/tensor.js";
import { dumpPythonJson } from "../json/python-json.js";
import { tensorSha256 } from "./tensor-hash.js";

/**
 * The canonical manifest (model.md §4): the content of a checkpoint, independent of
 * its format. Built as a tree of plain JSON-able nodes (ints stay bigint, floats
 * number) so that rendering keeps every digit and `1.0` apart from `1`.
 */
export async function manifestTree(root: Node): Promise<Node> {
  // Iterative over containers so a deep tree cannot overflow the stack.
  type Frame = { source: Node; build: (value: Node) => void };
  let result: Node = null;
  const pending: Frame[] = [{ source: root, build: (value) => (result = value) }];
  const toHash: { tensor: Tensor; entry: PyMap }[] = [];
  while (pending.length > 0) {
    const { source, build } = pending.pop()!;
    if (source instanceof Tensor) {
      const entry: PyMap = new Map<string, Node>([
        ["dtype", source.dtype],
        ["shape", source.shape.map((dim) => BigInt(dim))],
        ["sha256", ""],
      ]);
      toHash.push({ tensor: source, entry });
      build(new Map([["$tensor", entry]]));
    } else if (typeof source === "number") {
      build(Number.isFinite(source) ? source : new Map([["$float", Number.isNaN(source) ? "nan" : source > 0 ? "inf" : "-inf"]]));
    } else if (source instanceof Map) {
      const out: PyMap = new Map();
      build(out);
      for (const [key, child] of source) {
        const name = keyToString(key);
        out.set(name, null);
        pending.push({ source: child, build: (value) => void out.set(name, value) });
      }
    } else if (Array.isArray(source) || source instanceof Tuple) {
      const items = Array.isArray(source) ? source : source.items;
      const out: Node[] = new Array<Node>(items.length).fill(null);
      build(out);
      items.forEach((child, index) => pending.push({ source: child, build: (value) => void (out[index] = value) }));
    } else if (source instanceof OpaqueObject) {
      const out: PyMap = new Map<string, Node>([["$object", source.className]]);
      build(out);
      if (source.args.length > 0) {
        const args: Node[] = new Array<Node>(source.args.length).fill(null);
        out.set("args", args);
        source.args.forEach((child, index) => pending.push({ source: child, build: (value) => void (args[index] = value) }));
      }
      if (source.state !== undefined) pending.push({ source: source.state, build: (value) => void out.set("state", value) });
    } else if (source instanceof Uint8Array) {
      build(new Map([["$bytes", Buffer.from(source).toString("base64")]]));
    } else {
      build(source);
    }
  }
  // One tensor at a time: hashing concurrently would hold many tensors' chunks at once.
  for (const { tensor, entry } of toHash) entry.set("sha256", await tensorSha256(tensor));
  return result;
}

/** Everything `ckpt manifest` prints: format, codec and the content tree. */
export interface Manifest {
  format: string;
  codec: string | null;
  schemaVersion?: string | null;
  tree: Node;
}

/** Renders a manifest as JSON text with exact integers and Python-style floats. */
export function renderManifest(manifest: Manifest, indent = 1): string {
  const doc: PyMap = new Map<string, Node>([
    ["format", manifest.format],
    ["codec", manifest.codec],
  ]);
  if (manifest.schemaVersion !== undefined) doc.set("schemaVersion", manifest.schemaVersion);
  doc.set("tree", manifest.tree);
  return dumpPythonJson(doc, indent);
}
