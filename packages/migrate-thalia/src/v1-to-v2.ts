import { CkptError, emptyMapLike, type Key, type MigrationStep, type Node, type PyMap } from "@ckpt/core";
import { FAMILY, isFlat } from "./detect.js";

/** `type` for the region names Thalia ships (the classes the v2 reference uses); others get null. */
export const REGION_TYPES: Readonly<Record<string, string>> = {
  thalamus: "Thalamus",
  cortex: "LayeredCortex",
  hippocampus: "TrisynapticHippocampus",
  pfc: "Prefrontal",
  striatum: "Striatum",
  cerebellum: "Cerebellum",
};

export const DEFAULT_DT_MS = 1.0;
export const DEFAULT_DEVICE = "cpu";
export const DEFAULT_LEARNING_RULE = "stdp";

const isMap = (node: Node | undefined): node is PyMap => node instanceof Map;

/** A copy of `like`'s class (OrderedDict stays OrderedDict), filled with `entries`. */
function mapLike(like: PyMap, entries: Iterable<[Key, Node]>): PyMap {
  const out = emptyMapLike(like);
  for (const [k, v] of entries) out.set(k, v);
  return out;
}

/**
 * Collects what is moved under `legacy`. A key already there (a tree migrated by hand
 * before) is kept and the new value goes under `<key>_1`, `<key>_2`, … so nothing is lost.
 */
class Legacy {
  readonly entries: PyMap;
  constructor(existing: Node | undefined) {
    this.entries = isMap(existing) ? new Map(existing) : new Map();
    if (existing !== undefined && !isMap(existing)) this.entries.set("legacy", existing);
  }
  put(key: string, value: Node): void {
    let name = key;
    for (let n = 1; this.entries.has(name); n++) name = `${key}_${n}`;
    this.entries.set(name, value);
  }
}

/** Renames `from` to `to`, unless the map already has a `to` of its own: then `from` goes under legacy. */
function rename(source: PyMap, out: PyMap, legacy: Legacy, from: string, to: string): void {
  if (source.has(to)) legacy.put(from, source.get(from)!);
  else out.set(to, source.get(from)!);
}

function migrateRegion(name: Key, region: PyMap, device: Node): PyMap {
  const legacy = new Legacy(region.get("legacy"));
  const out: PyMap = emptyMapLike(region);
  const config = region.get("config");
  const rest = isMap(config) ? mapLike(config, config) : undefined;
  const nInput = rest?.get("n_input");
  const nOutput = rest?.get("n_output");
  rest?.delete("n_input");
  rest?.delete("n_output");
  const learning = region.get("learning_state");
  const strategy = isMap(learning)
    ? [...learning.keys()].find((k): k is string => typeof k === "string" && k.endsWith("_strategy"))
    : undefined;

  const defaults: [string, Node][] = [
    ["type", typeof name === "string" ? (REGION_TYPES[name] ?? null) : null],
    ["n_neurons", nOutput ?? null],
    ["n_input", nInput ?? null],
    ["n_output", nOutput ?? null],
    ["device", device],
    ["dt_ms", DEFAULT_DT_MS],
    ["default_learning_rule", strategy ? strategy.slice(0, -"_strategy".length) : DEFAULT_LEARNING_RULE],
    ["input_sources", []],
  ];
  // v2 keys the region already has win over the defaults.
  for (const [key, value] of defaults) out.set(key, region.has(key) ? region.get(key)! : value);

  for (const [key, value] of region) {
    if (key === "legacy" || defaults.some(([k]) => k === key)) continue;
    switch (key) {
      case "weights": rename(region, out, legacy, "weights", "synaptic_weights"); break;
      case "region_state": rename(region, out, legacy, "region_state", "neuron_state"); break;
      case "config":
        if (rest === undefined) legacy.put("config", value);
        else if (rest.size > 0) legacy.put("config", rest);
        break;
      case "neuromodulator_state": legacy.put("neuromodulator_state", value); break;
      default: out.set(key, value);
    }
  }
  if (!out.has("synaptic_weights")) out.set("synaptic_weights", new Map());
  if (!out.has("plasticity_enabled")) out.set("plasticity_enabled", true);
  if (legacy.entries.size > 0) out.set("legacy", legacy.entries);
  return out;
}

/** The dopamine level every v1 region agrees on (their `neuromodulator_state.dopamine`), else 0.0. */
function sharedDopamine(regions: PyMap): number {
  const levels = new Set<number>();
  for (const region of regions.values()) {
    const state = isMap(region) ? region.get("neuromodulator_state") : undefined;
    const dopamine = isMap(state) ? state.get("dopamine") : undefined;
    if (typeof dopamine === "number") levels.add(dopamine);
  }
  return levels.size === 1 ? [...levels][0]! : 0.0;
}

/**
 * Thalia brain schema 1 → 2 (model.md §3; the full table is in this package's README).
 * Pure: builds a new tree and never changes `root`; tensors are moved, never read.
 */
export function migrateV1ToV2(root: PyMap): PyMap {
  if (isFlat(root)) {
    throw new CkptError("MIGRATION", "this Thalia brain is stored flat (dotted names); read it with --unflatten (readOptions.unflatten) to migrate it");
  }
  const regions = root.get("regions");
  if (!isMap(regions)) throw new CkptError("MIGRATION", "not a Thalia brain: the root has no regions map");
  const metadata = root.get("metadata");
  const device = (isMap(metadata) && typeof metadata.get("device") === "string" ? metadata.get("device") : DEFAULT_DEVICE)!;

  const legacy = new Legacy(root.get("legacy"));
  const newRegions = mapLike(regions, [...regions].map(([name, region]): [Key, Node] => [name, isMap(region) ? migrateRegion(name, region, device) : region]));

  const theta = root.get("theta");
  const oscillators: PyMap = isMap(root.get("oscillators")) ? new Map(root.get("oscillators") as PyMap) : new Map();
  if (theta !== undefined) {
    if (oscillators.has("theta")) legacy.put("theta", theta);
    else oscillators.set("theta", theta);
  }

  const scheduler = root.get("scheduler");
  let currentTime: Node = root.has("current_time") ? root.get("current_time")! : 0.0;
  if (isMap(scheduler)) {
    const rest = mapLike(scheduler, scheduler);
    if (rest.has("current_time")) {
      if (root.has("current_time")) legacy.put("current_time", rest.get("current_time")!);
      else currentTime = rest.get("current_time")!;
      rest.delete("current_time");
    }
    if (rest.size > 0) legacy.put("scheduler", rest);
  } else if (scheduler !== undefined) legacy.put("scheduler", scheduler);

  const out: PyMap = emptyMapLike(root);
  if (isMap(metadata)) {
    // The chain overwrites checkpoint_format_version; keep the file's original claim.
    const claimed = metadata.get("checkpoint_format_version");
    const kept = mapLike(metadata, metadata);
    if (claimed !== undefined && !kept.has("migrated_from_format_version")) kept.set("migrated_from_format_version", claimed);
    out.set("metadata", kept);
  } else if (metadata !== undefined) out.set("metadata", metadata);
  const v2: [string, Node][] = [
    ["global_config", new Map<Key, Node>([["dt_ms", DEFAULT_DT_MS], ["device", device]])],
    ["current_time", currentTime],
    ["topology", new Map()],
    ["regions", newRegions],
    ["pathways", new Map()],
    ["oscillators", oscillators],
    ["neuromodulators", new Map<Key, Node>([
      ["vta", new Map<Key, Node>([["global_dopamine", sharedDopamine(regions)], ["tonic_dopamine", 0.0], ["phasic_dopamine", 0.0]])],
      ["locus_coeruleus", new Map<Key, Node>([["norepinephrine", 0.0]])],
      ["nucleus_basalis", new Map<Key, Node>([["acetylcholine", 0.0]])],
    ])],
    ["config", new Map()],
    ["growth_history", []],
  ];
  const computed = new Set(["regions", "oscillators", "current_time"]);
  for (const [key, value] of v2) out.set(key, computed.has(key) || !root.has(key) ? value : root.get(key)!);

  for (const [key, value] of root) {
    if (key === "metadata" || key === "legacy" || key === "theta" || key === "scheduler" || v2.some(([k]) => k === key)) continue;
    if (key === "trial_state") legacy.put("trial_state", value);
    else out.set(key, value);
  }
  if (legacy.entries.size > 0) out.set("legacy", legacy.entries);
  return out;
}

export const v1ToV2: MigrationStep = {
  family: FAMILY,
  from: "1",
  to: "2",
  formatVersion: "2.0",
  description: "Thalia brain v1 (event-driven) → v2 (dynamic): weights→synaptic_weights, region_state→neuron_state, theta→oscillators.theta, scheduler.current_time→current_time, documented defaults, the rest under legacy",
  migrate: migrateV1ToV2,
};
