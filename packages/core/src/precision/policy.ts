import type { Tensor } from "../model/tensor.js";
import type { FloatDType } from "./cast.js";

/** Tensor categories of Thalia's precision rules, decided from the dotted path. */
export type Category = "weights" | "biases" | "membrane" | "traces" | "thresholds" | "conductances" | "default";

/** Substring rules, checked in this order on the lower-cased dotted path (thalia-binary.md). */
export const CATEGORY_RULES: readonly (readonly [Category, readonly string[]])[] = [
  ["weights", ["weight", "w_"]],
  ["biases", ["bias", "b_"]],
  ["membrane", ["membrane", "v_mem"]],
  ["traces", ["trace", "eligibility", "stdp"]],
  ["thresholds", ["threshold", "v_thresh", "theta"]],
  ["conductances", ["conductance", "g_"]],
];

export function categoryOf(dottedPath: string): Category {
  const lower = dottedPath.toLowerCase();
  for (const [category, needles] of CATEGORY_RULES) {
    if (needles.some((needle) => lower.includes(needle))) return category;
  }
  return "default";
}

/** A category's target: a dtype, `auto` (f16 above 1 MiB, else f32), or `keep`. */
export type Target = FloatDType | "auto" | "keep";

/**
 * A precision policy: which dtype each float tensor becomes. Only f16/f32/f64 tensors are
 * touched, as in the reference; integers, bool (and bf16 sources) never are.
 */
export interface PrecisionPolicy {
  readonly name: string;
  readonly targets: Readonly<Record<Category, Target>>;
  /** Extra path rules of a custom policy, checked before the categories: substring → target. */
  readonly rules?: readonly { readonly match: string; readonly target: Target }[];
}

const AUTO_THRESHOLD_BYTES = 1 << 20;

export const BUILTIN_POLICIES: Readonly<Record<"fp32" | "fp16" | "mixed", PrecisionPolicy>> = {
  fp32: { name: "fp32", targets: { weights: "f32", biases: "f32", membrane: "f32", traces: "f32", thresholds: "f32", conductances: "f32", default: "f32" } },
  fp16: { name: "fp16", targets: { weights: "f16", biases: "f32", membrane: "f32", traces: "f16", thresholds: "f32", conductances: "f16", default: "f32" } },
  mixed: { name: "mixed", targets: { weights: "auto", biases: "f32", membrane: "f32", traces: "f16", thresholds: "f32", conductances: "f16", default: "f32" } },
};

const CONVERTIBLE = new Set(["f64", "f32", "f16"]);

/** The dtype `tensor` at `dottedPath` should have under `policy`, or undefined to leave it. */
export function targetDType(policy: PrecisionPolicy, dottedPath: string, tensor: Tensor): FloatDType | undefined {
  if (!CONVERTIBLE.has(tensor.dtype)) return undefined;
  const lower = dottedPath.toLowerCase();
  const rule = policy.rules?.find((r) => lower.includes(r.match.toLowerCase()));
  const target = rule ? rule.target : policy.targets[categoryOf(dottedPath)];
  if (target === "keep") return undefined;
  if (target === "auto") return tensor.byteLength > AUTO_THRESHOLD_BYTES ? "f16" : "f32";
  return target;
}
