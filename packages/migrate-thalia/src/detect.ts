import type { Key, Node, PyMap, SchemaDetector } from "@ckpt/core";

export const FAMILY = "thalia-brain";

/** Region keys only the v1 (event-driven) layout has. */
const V1_REGION_KEYS = ["weights", "region_state", "neuromodulator_state"];
/** Region keys only the v2 (dynamic) layout has. */
const V2_REGION_KEYS = ["synaptic_weights", "neuron_state", "n_neurons", "type", "default_learning_rule", "input_sources", "plasticity_enabled", "dt_ms"];
/** Root keys only v1 has. */
const V1_ROOT_KEYS = ["theta", "scheduler", "trial_state"];
/** Root keys only v2 has. */
const V2_ROOT_KEYS = ["oscillators", "global_config", "current_time", "topology", "neuromodulators"];

const isMap = (node: Node | undefined): node is PyMap => node instanceof Map;

/**
 * The schema version ("1" or "2") of a Thalia brain, from its structure: which of the
 * v1-only and v2-only keys its regions and root carry (model.md §3). The metadata's
 * `checkpoint_format_version` only breaks a tie. Null when the tree is not a Thalia
 * brain (no `regions` map of region maps) or nothing tells the versions apart.
 *
 * A flat tree (safetensors written by others: `regions.cortex.synaptic_weights.x` → tensor)
 * is looked at through its dotted names, so it is recognised too.
 */
export function detectThaliaVersion(input: PyMap): "1" | "2" | null {
  const root = isFlat(input) ? unflatten(input) : input;
  const regions = root.get("regions");
  if (!isMap(regions) || regions.size === 0) return null;
  const regionMaps = [...regions.values()].filter(isMap);
  if (regionMaps.length !== regions.size) return null;

  let v1 = 0;
  let v2 = 0;
  for (const region of regionMaps) {
    v1 += V1_REGION_KEYS.filter((k) => region.has(k)).length;
    v2 += V2_REGION_KEYS.filter((k) => region.has(k)).length;
    const config = region.get("config");
    if (isMap(config) && (config.has("n_input") || config.has("n_output"))) v1++;
  }
  v1 += V1_ROOT_KEYS.filter((k) => root.has(k)).length;
  v2 += V2_ROOT_KEYS.filter((k) => root.has(k)).length;

  if (v1 > v2) return "1";
  if (v2 > v1) return "2";
  return versionHint(root);
}

/** `metadata.checkpoint_format_version` as "1" or "2" when it clearly says so ("1.0", "2", "v2.1"). */
export function versionHint(root: PyMap): "1" | "2" | null {
  const metadata = root.get("metadata");
  const claimed = isMap(metadata) ? metadata.get("checkpoint_format_version") : undefined;
  const major = typeof claimed === "string" ? /^v?(\d+)(\.|$)/.exec(claimed.trim())?.[1] : undefined;
  return major === "1" || major === "2" ? major : null;
}

/** A root whose keys are dotted paths into `regions` (`regions.cortex.weights.ff`). */
export function isFlat(root: PyMap): boolean {
  if (root.has("regions")) return false;
  return [...root.keys()].some((k) => typeof k === "string" && k.startsWith("regions."));
}

/**
 * Nests dotted names (`a.b.c` → a → b → c; `\.` is a literal dot, `\\` a backslash, as
 * the safetensors mapping escapes them). Only used to look at a flat tree's structure.
 */
export function unflatten(root: PyMap): PyMap {
  const out: PyMap = new Map();
  for (const [key, value] of root) {
    if (typeof key !== "string") {
      out.set(key, value);
      continue;
    }
    const steps = splitDotted(key);
    let map = out;
    for (const step of steps.slice(0, -1)) {
      const next = map.get(step);
      if (isMap(next)) map = next;
      else {
        const created: PyMap = new Map();
        map.set(step, created);
        map = created;
      }
    }
    map.set(steps[steps.length - 1]! as Key, value);
  }
  return out;
}

function splitDotted(name: string): string[] {
  const steps: string[] = [];
  let current = "";
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === "\\" && i + 1 < name.length) current += name[++i];
    else if (c === ".") {
      steps.push(current);
      current = "";
    } else current += c;
  }
  steps.push(current);
  return steps;
}

export const thaliaDetector: SchemaDetector = {
  family: FAMILY,
  detect: detectThaliaVersion,
};
