import { readFile } from "node:fs/promises";
import { BUILTIN_POLICIES, CkptError, type Category, type PrecisionPolicy, type Target } from "@ckpt/core";

const CATEGORIES: readonly Category[] = ["weights", "biases", "membrane", "traces", "thresholds", "conductances", "default"];
const TARGETS: readonly Target[] = ["f64", "f32", "f16", "bf16", "auto", "keep"];

/**
 * `--precision fp32|fp16|mixed|FILE.json`. A custom policy file looks like
 * `{"name": "lean", "base": "fp16", "targets": {"default": "bf16"}, "rules": [{"match": "readout", "target": "keep"}]}`:
 * `base` (a built-in) fills the categories it does not name.
 */
export async function parsePrecision(value: string): Promise<PrecisionPolicy> {
  if (value in BUILTIN_POLICIES) return BUILTIN_POLICIES[value as keyof typeof BUILTIN_POLICIES];
  if (!value.endsWith(".json")) throw new CkptError("USAGE", `--precision takes fp32, fp16, mixed or a policy .json file, not "${value}"`);
  let spec: { name?: unknown; base?: unknown; targets?: unknown; rules?: unknown };
  try {
    spec = JSON.parse(await readFile(value, "utf8")) as typeof spec;
  } catch (error) {
    throw new CkptError("USAGE", `cannot read the precision policy: ${(error as Error).message}`, { file: value });
  }
  const fail = (message: string): never => {
    throw new CkptError("USAGE", `precision policy: ${message}`, { file: value });
  };
  const base = spec.base === undefined ? BUILTIN_POLICIES.fp32 : BUILTIN_POLICIES[spec.base as keyof typeof BUILTIN_POLICIES] ?? fail(`unknown base "${String(spec.base)}"`);
  const targets = { ...base.targets };
  for (const [category, target] of Object.entries((spec.targets ?? {}) as Record<string, unknown>)) {
    if (!CATEGORIES.includes(category as Category)) fail(`unknown category "${category}" (known: ${CATEGORIES.join(", ")})`);
    if (!TARGETS.includes(target as Target)) fail(`unknown target "${String(target)}" for ${category} (known: ${TARGETS.join(", ")})`);
    targets[category as Category] = target as Target;
  }
  const rules = ((spec.rules ?? []) as unknown[]).map((rule, i) => {
    const r = rule as { match?: unknown; target?: unknown };
    if (typeof r.match !== "string" || !TARGETS.includes(r.target as Target)) fail(`rule ${i} needs a string "match" and a known "target"`);
    return { match: r.match as string, target: r.target as Target };
  });
  return { name: typeof spec.name === "string" ? spec.name : value, targets, rules };
}
