import { dottedPath, walkTensors, type Node } from "../model/node.js";
import type { Tensor } from "../model/tensor.js";
import type { PrecisionChange } from "../pipeline/precision-stage.js";
import { compareTensors } from "./tensor-error.js";
import { diffTrees, type Difference } from "./tree-diff.js";

/** The error a precision step left in one tensor, measured on the file as written. */
export interface TensorError {
  path: string;
  from: string;
  to: string;
  maxAbsError: number;
  maxRelError: number;
  /** Values that differ from the source (after widening both to f64). */
  differing: number;
  values: number;
  /** Differing values where one side is NaN or infinite (not in the errors). */
  nonFinite: number;
}

/** What `convert --verify` found when it read the written file back. */
export interface VerificationResult {
  ok: boolean;
  /** True when the written file holds exactly the source (no precision step changed a value). */
  exact: boolean;
  /** Tensors compared. */
  tensors: number;
  /** One entry per tensor the precision step changed, with its error against the source. */
  changed: TensorError[];
  /** What is wrong, one line each (empty when `ok`). */
  failures: string[];
}

/**
 * Checks a written checkpoint against the one that was meant to be written.
 *
 * `source` is the tree as decoded (and migrated) before precision, `expected` the tree
 * after the precision stage (the same as `source` when there was none), `changes` what
 * the precision stage changed. The written tree must equal `expected` exactly — same
 * paths, kinds, scalars, dtypes, shapes and tensor bytes — so every difference from the
 * source that the policy did not make fails, and so does a narrowed tensor that was not
 * written as the cast produced it. Each changed tensor is then measured against the
 * source: its max absolute and relative error.
 */
export async function verifyConversion(
  source: Node,
  written: Node,
  changes: readonly PrecisionChange[] = [],
  expected: Node = source,
  options: { onTensor?: (tensor: Tensor) => void } = {},
): Promise<VerificationResult> {
  const byPath = new Map(changes.map((change) => [change.path, change]));
  const { differences, tensorsCompared } = await diffTrees(expected, written, { onTensor: (_path, tensor) => options.onTensor?.(tensor) });
  const failures = differences.map((difference) => explain(difference, byPath));

  const changed: TensorError[] = [];
  if (changes.length > 0) {
    const sourceTensors = tensorsByPath(source);
    const writtenTensors = tensorsByPath(written);
    for (const change of changes) {
      const a = sourceTensors.get(change.path);
      const b = writtenTensors.get(change.path);
      if (!a || !b || a.numel !== b.numel) continue; // already a failure above
      const values = await compareTensors(a, b);
      changed.push({
        path: change.path, from: change.from, to: b.dtype,
        maxAbsError: values.maxAbsError, maxRelError: values.maxRelError,
        differing: values.differing, values: values.values, nonFinite: values.nonFinite,
      });
    }
  }
  return {
    ok: failures.length === 0,
    exact: failures.length === 0 && changed.every((c) => c.differing === 0),
    tensors: tensorsCompared,
    changed,
    failures,
  };
}

function tensorsByPath(root: Node): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const { path, tensor } of walkTensors(root)) out.set(dottedPath(path), tensor);
  return out;
}

/** One line saying what a difference between intended and written means. */
function explain(d: Difference, changes: Map<string, PrecisionChange>): string {
  const at = d.path || "(root)";
  const change = changes.get(d.path);
  switch (d.kind) {
    case "only-in-a": return `${at}: missing from the written file (${d.summary})`;
    case "only-in-b": return `${at}: in the written file but not in the source (${d.summary})`;
    case "kind": return `${at}: written as ${d.b}, the source has ${d.a}`;
    case "value": return `${at}: written as ${d.b}, the source has ${d.a}`;
    case "shape": return `${at}: written with shape [${d.b.join(", ")}], the source has [${d.a.join(", ")}]`;
    case "dtype":
      return change
        ? `${at}: written as ${d.b}, the precision policy made it ${change.to} (from ${change.from})`
        : `${at}: written as ${d.b}, the source has ${d.a} and the precision policy did not change it`;
    case "tensor-values": {
      const v = d.values;
      const what = v.differing > 0
        ? `${v.differing} of ${v.values} values differ (max abs error ${v.maxAbsError})`
        : `${v.bitsDiffering ?? 0} of ${v.values} bit patterns differ (-0/0 or NaN payloads; equal by value)`;
      return change
        ? `${at}: ${what} from the precision policy's ${change.from}→${change.to} output`
        : `${at}: ${what} from the source, and the precision policy did not change this tensor`;
    }
  }
}
