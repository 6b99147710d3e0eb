import { Tensor } from "./tensor.js";

/**
 * The neutral checkpoint tree (model.md §1). Plain JavaScript values where they are
 * unambiguous, small classes where Python makes a distinction JavaScript does not:
 *
 * | model kind | JavaScript                       |
 * |------------|----------------------------------|
 * | map        | `Map` (insertion order, any key) |
 * | list       | `Array`                          |
 * | tuple      | `Tuple`                          |
 * | int        | `bigint` (always: exact, and never confused with a float) |
 * | float      | `number`                         |
 * | str, bool, None | `string`, `boolean`, `null` |
 * | bytes      | `Uint8Array`                     |
 * | tensor     | `Tensor`                         |
 * | opaque     | `OpaqueObject`                   |
 */
export type Node =
  | null
  | boolean
  | bigint
  | number
  | string
  | Uint8Array
  | Node[]
  | Tuple
  | PyMap
  | Tensor
  | OpaqueObject;

/** Map keys: strings usually; a pickle may use any hashable scalar or a tuple. */
export type Key = string | bigint | number | boolean | null | Tuple;

export type PyMap = Map<Key, Node>;

/**
 * A map that was a Python `collections.OrderedDict` (as every PyTorch state_dict is),
 * so a PyTorch writer can restore the class. `attributes` holds what a pickle BUILD set
 * on it (nn.Module's `_metadata`). Everywhere else it is simply a map.
 */
export class OrderedMap extends Map<Key, Node> {
  attributes: PyMap | undefined;
}

/** An empty map of the same class as `like` (OrderedMap stays OrderedMap, attributes kept). */
export function emptyMapLike(like: PyMap): PyMap {
  if (!(like instanceof OrderedMap)) return new Map();
  const out = new OrderedMap();
  out.attributes = like.attributes;
  return out;
}

export class Tuple {
  constructor(readonly items: Node[]) {}
}

/**
 * Something a safe reader does not interpret (a dataclass, an enum, a class it was
 * allowed to meet): its class path plus the data needed to rebuild it, never executed.
 * `args` are the constructor/reduce arguments, `state` what a BUILD step would set.
 * `variant` records how the format expressed it, so the same writer can restore it.
 */
export class OpaqueObject {
  constructor(
    readonly className: string,
    readonly args: Node[] = [],
    readonly state: Node | undefined = undefined,
    readonly variant: string = "reduce",
  ) {}
}

export type NodeKind =
  | "map" | "list" | "tuple" | "int" | "float" | "str" | "bytes" | "bool" | "none" | "tensor" | "object";

export function kindOf(node: Node): NodeKind {
  if (node === null) return "none";
  switch (typeof node) {
    case "boolean": return "bool";
    case "bigint": return "int";
    case "number": return "float";
    case "string": return "str";
  }
  if (node instanceof Tensor) return "tensor";
  if (node instanceof Map) return "map";
  if (Array.isArray(node)) return "list";
  if (node instanceof Tuple) return "tuple";
  if (node instanceof Uint8Array) return "bytes";
  if (node instanceof OpaqueObject) return "object";
  throw new TypeError(`not a checkpoint node: ${Object.prototype.toString.call(node)}`);
}

/** A map from string-keyed entries, the common case when building trees by hand. */
export function pyMap(entries: Record<string, Node> | Iterable<[Key, Node]>): PyMap {
  return new Map(Symbol.iterator in entries ? (entries as Iterable<[Key, Node]>) : Object.entries(entries));
}

/** One step of a path from the root: a map key or a list/tuple index. */
export type PathStep = Key | { index: number };

/**
 * Visits every tensor with its path, depth first in tree order. Iterative, so a
 * pathologically deep tree cannot overflow the stack.
 */
export function* walkTensors(root: Node): Generator<{ path: PathStep[]; tensor: Tensor }> {
  const stack: { node: Node; path: PathStep[] }[] = [{ node: root, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (node instanceof Tensor) {
      yield { path, tensor: node };
      continue;
    }
    const children = childrenOf(node);
    for (let i = children.length - 1; i >= 0; i--) {
      const [step, child] = children[i]!;
      stack.push({ node: child, path: [...path, step] });
    }
  }
}

/** The direct children of a container node, with the step that reaches each. */
export function childrenOf(node: Node): [PathStep, Node][] {
  if (node instanceof Map) return [...node.entries()];
  if (Array.isArray(node)) return node.map((child, index) => [{ index }, child]);
  if (node instanceof Tuple) return node.items.map((child, index) => [{ index }, child]);
  if (node instanceof OpaqueObject) {
    const out: [PathStep, Node][] = node.args.map((child, index) => [{ index }, child]);
    if (node.state !== undefined) out.push(["__state__", node.state]);
    return out;
  }
  return [];
}

/**
 * Rebuilds a tree bottom-up, replacing each tensor by `replace(tensor, path)`.
 * Containers are copied only where something below them changed.
 */
export function mapTensors(root: Node, replace: (tensor: Tensor, path: PathStep[]) => Tensor): Node {
  const visit = (node: Node, path: PathStep[]): Node => {
    if (node instanceof Tensor) return replace(node, path);
    if (node instanceof Map) {
      let changed = false;
      const out = emptyMapLike(node);
      for (const [key, child] of node) {
        const next = visit(child, [...path, key]);
        changed ||= next !== child;
        out.set(key, next);
      }
      return changed ? out : node;
    }
    if (Array.isArray(node)) {
      const out = node.map((child, index) => visit(child, [...path, { index }]));
      return out.some((child, i) => child !== node[i]) ? out : node;
    }
    if (node instanceof Tuple) {
      const out = node.items.map((child, index) => visit(child, [...path, { index }]));
      return out.some((child, i) => child !== node.items[i]) ? new Tuple(out) : node;
    }
    if (node instanceof OpaqueObject) {
      const args = node.args.map((child, index) => visit(child, [...path, { index }]));
      const state = node.state === undefined ? undefined : visit(node.state, [...path, "__state__"]);
      const changed = state !== node.state || args.some((child, i) => child !== node.args[i]);
      return changed ? new OpaqueObject(node.className, args, state, node.variant) : node;
    }
    return node;
  };
  return visit(root, []);
}

/** Dotted path for messages and precision rules: `regions.cortex.weights.0`. */
export function dottedPath(path: readonly PathStep[]): string {
  return path.map((step) => (typeof step === "object" && step !== null && "index" in step ? String(step.index) : keyToString(step as Key))).join(".");
}

/** A key as Python's `str(key)` renders it. */
export function keyToString(key: Key): string {
  if (typeof key === "string") return key;
  return pyRepr(key);
}

/** Python `repr` of a scalar or tuple key. */
export function pyRepr(value: Key): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return pyFloatRepr(value);
  if (typeof value === "string") return pyStrRepr(value);
  const items = value.items.map((item) => pyRepr(item as Key));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
}

function pyStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const body = text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
  return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
}

/**
 * Python's `repr(float)`: the shortest round-tripping digits (as JavaScript also
 * finds), laid out the Python way: scientific below 1e-4 and from 1e16 on, always a
 * `.` or an exponent, two-digit exponents (`1e-05`, `1e+16`), `nan`/`inf`.
 */
export function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const [mantissa, expText] = value.toExponential().split("e") as [string, string];
  const exponent = Number(expText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const expSign = exponent < 0 ? "-" : "+";
    return `${sign}${mant}e${expSign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  if (digits.length <= exponent + 1) return `${sign}${digits}${"0".repeat(exponent + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}
