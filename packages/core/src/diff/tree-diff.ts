import type { DType } from "../model/dtype.js";
import { Tensor } from "../model/tensor.js";
import {
  OpaqueObject, Tuple, childrenOf, dottedPath, kindOf, pyFloatRepr, pyRepr,
  type Key, type Node, type NodeKind, type PathStep,
} from "../model/node.js";
import { compareTensors, isIdentical, type TensorComparison } from "./tensor-error.js";

/**
 * One difference between two checkpoint trees, at `path` (dotted, `""` for the root):
 *
 * * `only-in-a` / `only-in-b` — a map key (or list item past the other's end) one side lacks;
 * * `kind` — different node kinds (`int` vs `float`, `list` vs `tuple`, `map` vs `tensor`, …);
 * * `value` — scalars (or bytes, or an opaque object's class) of the same kind that differ;
 * * `dtype` — tensors of different dtypes; when the shapes match, `values` compares them widened to f64;
 * * `shape` — tensors of different shapes (values not compared);
 * * `tensor-values` — tensors of the same dtype and shape whose bytes differ.
 */
export type Difference =
  | { kind: "only-in-a" | "only-in-b"; path: string; node: NodeKind; summary: string }
  | { kind: "kind"; path: string; a: NodeKind; b: NodeKind }
  | { kind: "value"; path: string; a: string; b: string }
  | { kind: "dtype"; path: string; a: DType; b: DType; values: TensorComparison | null }
  | { kind: "shape"; path: string; a: readonly number[]; b: readonly number[] }
  | { kind: "tensor-values"; path: string; dtype: DType; values: TensorComparison };

export type DifferenceKind = Difference["kind"];

export interface TreeDiff {
  differences: Difference[];
  /** Tensors present on both sides whose values were compared. */
  tensorsCompared: number;
}

export interface DiffTreesOptions {
  /** Called before each tensor comparison (for progress). */
  onTensor?: (path: string, a: Tensor, b: Tensor) => void;
}

/**
 * Compares two checkpoint trees. Maps are matched by key regardless of order (a key's
 * kind counts: `1`, `1.0`, `'1'` and `True` are four keys); lists, tuples and an opaque
 * object's arguments position by position. Tensor attributes (a Parameter flag) and the
 * map class (OrderedDict or dict) are format hints, not content, and are not compared.
 * Tensors are compared one pair at a time, streamed (see `compareTensors`).
 */
export async function diffTrees(a: Node, b: Node, options: DiffTreesOptions = {}): Promise<TreeDiff> {
  const differences: Difference[] = [];
  let tensorsCompared = 0;
  // Depth first in tree order (children pushed in reverse), so the report reads like the tree.
  const stack: { a: Node; b: Node; path: PathStep[] }[] = [{ a, b, path: [] }];
  while (stack.length > 0) {
    const { a: x, b: y, path } = stack.pop()!;
    const here = dottedPath(path);
    const kx = kindOf(x);
    const ky = kindOf(y);
    if (kx !== ky) {
      differences.push({ kind: "kind", path: here, a: kx, b: ky });
      continue;
    }
    if (x instanceof Tensor && y instanceof Tensor) {
      tensorsCompared++;
      options.onTensor?.(here, x, y);
      differences.push(...(await diffTensors(here, x, y)));
      continue;
    }
    if (x instanceof OpaqueObject && y instanceof OpaqueObject && x.className !== y.className) {
      differences.push({ kind: "value", path: here, a: x.className, b: y.className });
      continue;
    }
    if (x instanceof Map || Array.isArray(x) || x instanceof Tuple || x instanceof OpaqueObject) {
      // Same kind on both sides: pair children by key (maps) or position (the rest).
      const left = byStep(childrenOf(x));
      const right = byStep(childrenOf(y));
      const pending: { a: Node; b: Node; path: PathStep[] }[] = [];
      for (const [id, [step, child]] of left) {
        const other = right.get(id);
        if (other) pending.push({ a: child, b: other[1], path: [...path, step] });
        else differences.push(only("only-in-a", [...path, step], child));
      }
      for (const [id, [step, child]] of right) if (!left.has(id)) differences.push(only("only-in-b", [...path, step], child));
      stack.push(...pending.reverse());
      continue;
    }
    if (!sameScalar(x, y)) differences.push({ kind: "value", path: here, a: showScalar(x), b: showScalar(y) });
  }
  return { differences, tensorsCompared };
}

async function diffTensors(path: string, a: Tensor, b: Tensor): Promise<Difference[]> {
  const sameShape = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  const out: Difference[] = [];
  if (a.dtype !== b.dtype) {
    const values = sameShape ? await compareTensors(a, b).catch(() => null) : null;
    out.push({ kind: "dtype", path, a: a.dtype, b: b.dtype, values });
  }
  if (!sameShape) out.push({ kind: "shape", path, a: [...a.shape], b: [...b.shape] });
  if (a.dtype === b.dtype && sameShape) {
    const values = await compareTensors(a, b);
    if (!isIdentical(values)) out.push({ kind: "tensor-values", path, dtype: a.dtype, values });
  }
  return out;
}

/** A map key's identity across two maps: its kind and its Python repr (`'1'`, `1`, `1.0`, `True`, `(1, 2)`). */
function keyId(key: Key): string {
  return typeof key === "string" ? `s${key}` : `k${pyRepr(key)}`;
}

function stepId(step: PathStep): string {
  return typeof step === "object" && step !== null && "index" in step ? `#${step.index}` : keyId(step as Key);
}

function byStep(children: [PathStep, Node][]): Map<string, readonly [PathStep, Node]> {
  return new Map(children.map(([step, child]) => [stepId(step), [step, child] as const]));
}

function only(kind: "only-in-a" | "only-in-b", path: PathStep[], node: Node): Difference {
  return { kind, path: dottedPath(path), node: kindOf(node), summary: summarize(node) };
}

/** A short description of a node: a scalar's repr, a tensor's dtype and shape, a container's size. */
export function summarize(node: Node): string {
  if (node instanceof Tensor) return `${node.dtype}[${node.shape.join(", ")}]`;
  if (node instanceof Map) return `map of ${node.size}`;
  if (Array.isArray(node)) return `list of ${node.length}`;
  if (node instanceof Tuple) return `tuple of ${node.items.length}`;
  if (node instanceof OpaqueObject) return `object ${node.className}`;
  return showScalar(node);
}

function sameScalar(x: Node, y: Node): boolean {
  if (typeof x === "number" && typeof y === "number") return Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));
  if (x instanceof Uint8Array && y instanceof Uint8Array) return Buffer.from(x).equals(Buffer.from(y));
  return x === y;
}

/** A scalar as Python's repr shows it (`1`, `1.0`, `'x'`, `True`, `None`, `b'…'`), cut at 200 characters. */
function showScalar(node: Node): string {
  let text: string;
  if (typeof node === "number") text = pyFloatRepr(node);
  else if (node instanceof Uint8Array) text = `bytes[${node.byteLength}] ${Buffer.from(node).toString("hex")}`;
  else if (node === null || typeof node === "string" || typeof node === "bigint" || typeof node === "boolean") text = pyRepr(node);
  else text = kindOf(node);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
