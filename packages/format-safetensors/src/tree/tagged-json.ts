import { CkptError, OpaqueObject, OrderedMap, Tensor, Tuple, pyFloatRepr, type Key, type Node, type PathStep, type PyMap } from "@ckpt/core";

/**
 * A checkpoint tree as plain JSON, with the node kinds JSON lacks tagged by a map
 * whose one `$`-key names the kind (README "ckpt.tree"):
 *
 *   {"$tensor": "<stored name>", "$attrs": {…}}    tensor (attrs optional)
 *   {"$tuple": [...]}   {"$bytes": "<base64>"}   {"$float": "nan" | "inf" | "-inf"}
 *   {"$map": [[key, value], …], "$class": "collections.OrderedDict", "$attributes": …}
 *       a map with a non-string key or a key starting with `$`, or an OrderedDict
 *   {"$object": "module.Class", "args": […], "state": …, "variant": "reduce"}
 *
 * Ints are JSON integers with every digit (bigint), floats always show a `.` or an
 * exponent, so `1` and `1.0` stay apart. Any other map is a plain JSON object.
 */

/** parsePythonJson refuses values nested deeper than this; the writer refuses first. */
export const MAX_JSON_DEPTH = 1000;

export type TensorEncoder = (tensor: Tensor, path: readonly PathStep[]) => Node;

function tag(entries: [string, Node][]): PyMap {
  return new Map<string, Node>(entries);
}

function isPlainMap(map: PyMap): boolean {
  if (map instanceof OrderedMap) return false;
  for (const key of map.keys()) if (typeof key !== "string" || key.startsWith("$")) return false;
  return true;
}

/** The tagged JSON tree for `node`; tensors become whatever `onTensor` returns. */
export function toTaggedJson(node: Node, onTensor: TensorEncoder): Node {
  const visit = (value: Node, path: PathStep[], depth: number): Node => {
    if (depth > MAX_JSON_DEPTH) throw new CkptError("LIMIT", `the tree is nested deeper than ${MAX_JSON_DEPTH} levels at ${path.slice(0, 8).map(String).join(".")}…`);
    if (value === null || typeof value === "boolean" || typeof value === "bigint" || typeof value === "string") return value;
    if (typeof value === "number") {
      if (Number.isFinite(value)) return value;
      return tag([["$float", Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf"]]);
    }
    if (value instanceof Tensor) return onTensor(value, path);
    if (value instanceof Uint8Array) return tag([["$bytes", Buffer.from(value).toString("base64")]]);
    if (Array.isArray(value)) return value.map((item, index) => visit(item, [...path, { index }], depth + 1));
    if (value instanceof Tuple) return tag([["$tuple", value.items.map((item, index) => visit(item, [...path, { index }], depth + 2))]]);
    if (value instanceof Map) {
      if (isPlainMap(value)) {
        const out: PyMap = new Map();
        for (const [key, child] of value) out.set(key, visit(child, [...path, key], depth + 1));
        return out;
      }
      const entries: Node[] = [...value].map(([key, child]) => [visit(key as Node, path, depth + 3), visit(child, [...path, key], depth + 3)]);
      const out = tag([["$map", entries]]);
      if (value instanceof OrderedMap) {
        out.set("$class", "collections.OrderedDict");
        if (value.attributes !== undefined) out.set("$attributes", visit(value.attributes, [...path, "__attributes__"], depth + 1));
      }
      return out;
    }
    if (value instanceof OpaqueObject) {
      const out = tag([["$object", value.className], ["args", value.args.map((arg, index) => visit(arg, [...path, { index }], depth + 2))]]);
      if (value.state !== undefined) out.set("state", visit(value.state, [...path, "__state__"], depth + 1));
      out.set("variant", value.variant);
      return out;
    }
    throw new TypeError(`not a checkpoint node: ${Object.prototype.toString.call(value)}`);
  };
  return visit(node, [], 0);
}

/** Compact JSON text (no spaces) for a tree of JSON values; bigints exact, floats Python-style. */
export function stringifyJson(node: Node): string {
  const parts: string[] = [];
  const write = (value: Node, depth: number): void => {
    if (depth > MAX_JSON_DEPTH) throw new CkptError("LIMIT", `the tree is nested deeper than ${MAX_JSON_DEPTH} levels`);
    if (value === null) return void parts.push("null");
    switch (typeof value) {
      case "boolean": return void parts.push(value ? "true" : "false");
      case "bigint": return void parts.push(value.toString());
      case "number": return void parts.push(pyFloatRepr(value));
      case "string": return void parts.push(JSON.stringify(value));
    }
    if (Array.isArray(value)) {
      parts.push("[");
      value.forEach((item, i) => {
        if (i > 0) parts.push(",");
        write(item, depth + 1);
      });
      return void parts.push("]");
    }
    if (value instanceof Map) {
      parts.push("{");
      let first = true;
      for (const [key, child] of value) {
        if (!first) parts.push(",");
        first = false;
        parts.push(JSON.stringify(key), ":");
        write(child, depth + 1);
      }
      return void parts.push("}");
    }
    throw new TypeError(`not a JSON value: ${Object.prototype.toString.call(value)}`);
  };
  write(node, 0);
  return parts.join("");
}

const TAGS = ["$tensor", "$float", "$bytes", "$tuple", "$map", "$object"] as const;

export type TensorDecoder = (ref: PyMap) => Node;

/**
 * The checkpoint tree for a tagged JSON tree (as parsed by parsePythonJson). `fail`
 * makes the error for a malformed tag; `onTensor` resolves `{"$tensor": …}` maps.
 */
export function fromTaggedJson(node: Node, onTensor: TensorDecoder, fail: (message: string) => Error): Node {
  const visit = (value: Node): Node => {
    if (Array.isArray(value)) return value.map(visit);
    if (!(value instanceof Map)) return value;
    const keys = [...value.keys()];
    const tagKey = TAGS.find((t) => value.has(t)) ?? (keys.find((key) => typeof key === "string" && key.startsWith("$")) as string | undefined);
    if (tagKey === undefined) {
      const out: PyMap = new Map();
      for (const [key, child] of value) out.set(key, visit(child));
      return out;
    }
    const body = value.get(tagKey)!;
    switch (tagKey) {
      case "$tensor": return onTensor(value);
      case "$float": {
        if (body === "nan") return NaN;
        if (body === "inf") return Infinity;
        if (body === "-inf") return -Infinity;
        throw fail(`$float is ${JSON.stringify(String(body))}, not nan, inf or -inf`);
      }
      case "$bytes": {
        if (typeof body !== "string") throw fail("$bytes is not a base64 string");
        return new Uint8Array(Buffer.from(body, "base64"));
      }
      case "$tuple": {
        if (!Array.isArray(body)) throw fail("$tuple is not an array");
        return new Tuple(body.map(visit));
      }
      case "$map": {
        if (!Array.isArray(body)) throw fail("$map is not an array of [key, value] pairs");
        const ordered = value.get("$class") === "collections.OrderedDict";
        const out: PyMap = ordered ? new OrderedMap() : new Map();
        for (const pair of body) {
          if (!Array.isArray(pair) || pair.length !== 2) throw fail("$map holds an entry that is not a [key, value] pair");
          out.set(asKey(visit(pair[0]!), fail), visit(pair[1]!));
        }
        if (ordered && value.has("$attributes")) {
          const attributes = visit(value.get("$attributes")!);
          if (!(attributes instanceof Map)) throw fail("$attributes is not a map");
          (out as OrderedMap).attributes = attributes;
        }
        return out;
      }
      case "$object": {
        const args = value.get("args") ?? [];
        const variant = value.get("variant") ?? "reduce";
        if (typeof body !== "string") throw fail("$object is not a class name");
        if (!Array.isArray(args)) throw fail(`$object ${body}: args is not an array`);
        if (typeof variant !== "string") throw fail(`$object ${body}: variant is not a string`);
        const state = value.has("state") ? visit(value.get("state")!) : undefined;
        return new OpaqueObject(body, args.map(visit), state, variant);
      }
    }
    throw fail(`unknown tag ${JSON.stringify(tagKey)}`);
  };
  return visit(node);
}

function asKey(node: Node, fail: (message: string) => Error): Key {
  if (node === null || typeof node === "string" || typeof node === "bigint" || typeof node === "number" || typeof node === "boolean" || node instanceof Tuple) return node;
  throw fail("a map key is not a str, int, float, bool, None or tuple");
}
