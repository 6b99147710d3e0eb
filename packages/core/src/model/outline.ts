import { Tensor } from "./tensor.js";
import { OpaqueObject, Tuple, childrenOf, keyToString, kindOf, pyFloatRepr, type Node, type PathStep } from "./node.js";

/** One line of a tree outline: depth, label and a short description of the value. */
export interface OutlineLine {
  depth: number;
  label: string;
  summary: string;
}

/** A readable outline of the tree down to `maxDepth`, long containers cut after `maxItems`. */
export function outline(root: Node, maxDepth = 3, maxItems = 12): OutlineLine[] {
  const lines: OutlineLine[] = [];
  const visit = (node: Node, label: string, depth: number): void => {
    lines.push({ depth, label, summary: summarize(node) });
    if (depth >= maxDepth) return;
    const children = childrenOf(node);
    children.slice(0, maxItems).forEach(([step, child]) => visit(child, stepLabel(step), depth + 1));
    if (children.length > maxItems) lines.push({ depth: depth + 1, label: "…", summary: `${children.length - maxItems} more` });
  };
  childrenOf(root).forEach(([step, child]) => visit(child, stepLabel(step), 0));
  return lines;
}

function stepLabel(step: PathStep): string {
  return typeof step === "object" && step !== null && "index" in step ? `[${step.index}]` : keyToString(step);
}

function summarize(node: Node): string {
  if (node instanceof Tensor) return `${node.dtype}[${node.shape.join(", ")}]`;
  if (node instanceof Map) return `map (${node.size})`;
  if (Array.isArray(node)) return `list (${node.length})`;
  if (node instanceof Tuple) return `tuple (${node.items.length})`;
  if (node instanceof OpaqueObject) return `object ${node.className}`;
  if (node instanceof Uint8Array) return `bytes (${node.byteLength})`;
  if (typeof node === "number") return pyFloatRepr(node);
  if (typeof node === "string") return JSON.stringify(node.length > 60 ? `${node.slice(0, 57)}...` : node);
  if (typeof node === "bigint") return node.toString();
  return kindOf(node) === "none" ? "None" : String(node);
}
