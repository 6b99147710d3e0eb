import type { Node } from "../model/node.js";

/**
 * Differences between two manifest trees (model.md §4: JSON values, so maps compare
 * without regard to key order, and `1` differs from `1.0`). Returns readable lines such
 * as `regions.cortex.n_input: 128 ≠ 120`, at most `limit` of them; empty when equal.
 */
export function compareManifestTrees(a: Node, b: Node, limit = 20): string[] {
  const out: string[] = [];
  const stack: { a: Node | undefined; b: Node | undefined; path: string }[] = [{ a, b, path: "" }];
  while (stack.length > 0 && out.length < limit) {
    const { a: x, b: y, path } = stack.pop()!;
    const here = path || "(root)";
    if (x instanceof Map && y instanceof Map) {
      for (const key of new Set([...x.keys(), ...y.keys()])) {
        const child = path ? `${path}.${String(key)}` : String(key);
        if (!x.has(key)) out.push(`${child}: only in the second`);
        else if (!y.has(key)) out.push(`${child}: only in the first`);
        else stack.push({ a: x.get(key), b: y.get(key), path: child });
      }
    } else if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) out.push(`${here}: ${x.length} items ≠ ${y.length} items`);
      else for (let i = x.length - 1; i >= 0; i--) stack.push({ a: x[i], b: y[i], path: `${path}[${i}]` });
    } else if (!sameScalar(x, y)) {
      out.push(`${here}: ${show(x)} ≠ ${show(y)}`);
    }
  }
  return out;
}

function sameScalar(x: Node | undefined, y: Node | undefined): boolean {
  if (typeof x !== typeof y) return false;
  if (typeof x === "number" && typeof y === "number") return Object.is(x, y) || x === y;
  return x === y;
}

function show(value: Node | undefined): string {
  if (value instanceof Map) return "{…}";
  if (Array.isArray(value)) return "[…]";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isInteger(value) ? `${value}.0` : String(value);
  return JSON.stringify(value) ?? String(value);
}
