import type { Node, PyMap } from "@ckpt/core";

/**
 * The metadata JSON: what the reference writer puts there, and ckpt's bookkeeping that
 * lets a reader give back exactly the tree that was written (model.md §2).
 */

/** Keys the reference save writes after the caller's own, in this order. */
export const REFERENCE_KEYS = [
  "timestamp", "thalia_version", "checkpoint_format_version", "pytorch_version", "device", "training_steps",
  "config", "theta", "scheduler", "trial_state", "growth_history", "precision_policy", "precision_stats",
] as const;

/** State keys the reference save copies into the metadata, and what it writes when the state lacks them. */
const STATE_DEFAULTS: Readonly<Record<string, () => Node>> = {
  training_steps: () => 0n,
  config: () => new Map(),
  theta: () => new Map(),
  scheduler: () => new Map(),
  trial_state: () => new Map(),
  growth_history: () => [],
};

/** What the reference reader moves from the metadata into the state. */
export const REFERENCE_MOVED_KEYS = ["config", "theta", "scheduler", "trial_state"] as const;

export const CONTAINER_FORMAT_VERSION = "0.1.0";

const BOOKKEEPING = ["state_keys", "region_names", "ckpt_metadata"] as const;

export function isReferenceStateKey(key: string): boolean {
  return key in STATE_DEFAULTS;
}

export interface ComposeInput {
  /** The checkpoint's own metadata. */
  metadata: PyMap;
  /** State keys (no tensors) that go into the metadata JSON, in root order. */
  metadataState: ReadonlyMap<string, Node>;
  /** Every state key in root order, including those stored as index entries. */
  stateOrder: readonly string[];
  /** `regions` / `pathways` when the source tree had no such key. */
  absent: readonly string[];
  /** Index name → full name, for names the index cannot hold. */
  regionNames: ReadonlyMap<string, string>;
  /** precision_stats computed from the tensors being written. */
  precisionStats: PyMap;
  /** Used when the metadata has no timestamp. */
  now: Date;
  /** Renders a value as the file will hold it, to tell whether a kept value changed. */
  render: (value: Node) => string;
}

export function composeMetadata(input: ComposeInput): PyMap {
  const { metadata, metadataState } = input;
  const out: PyMap = new Map();
  for (const [key, value] of metadata) {
    if (!(REFERENCE_KEYS as readonly unknown[]).includes(key)) out.set(key, value);
  }
  const added: string[] = [];
  const replaced: PyMap = new Map();
  for (const key of REFERENCE_KEYS) {
    if (metadataState.has(key)) {
      out.set(key, metadataState.get(key)!);
    } else if (metadata.has(key)) {
      const kept = metadata.get(key)!;
      const written = key === "checkpoint_format_version" ? CONTAINER_FORMAT_VERSION : key === "precision_stats" ? input.precisionStats : kept;
      if (written !== kept && input.render(written) !== input.render(kept)) replaced.set(key, kept);
      out.set(key, written);
    } else {
      out.set(key, defaultFor(key, input));
      added.push(key);
    }
  }
  for (const [key, value] of metadataState) if (!out.has(key)) out.set(key, value);

  const movedByDefault = metadataState.size === REFERENCE_MOVED_KEYS.length && REFERENCE_MOVED_KEYS.every((k) => metadataState.has(k));
  if (!movedByDefault || input.stateOrder.length !== metadataState.size) out.set("state_keys", [...input.stateOrder]);
  if (input.regionNames.size > 0) out.set("region_names", new Map(input.regionNames));
  const bookkeeping: PyMap = new Map();
  if (added.length > 0) bookkeeping.set("added", added);
  if (replaced.size > 0) bookkeeping.set("replaced", replaced);
  if (input.absent.length > 0) bookkeeping.set("absent", [...input.absent]);
  if (bookkeeping.size > 0) out.set("ckpt_metadata", bookkeeping);
  return out;
}

function defaultFor(key: string, input: ComposeInput): Node {
  switch (key) {
    case "timestamp": return pythonIsoformat(input.now);
    case "thalia_version": return CONTAINER_FORMAT_VERSION;
    case "checkpoint_format_version": return CONTAINER_FORMAT_VERSION;
    case "pytorch_version": return "none (written by ckpt)";
    case "device": return "cpu";
    case "precision_policy": return "fp32";
    case "precision_stats": return input.precisionStats;
    default: return STATE_DEFAULTS[key]!();
  }
}

/** `datetime.isoformat()` of a UTC instant: microseconds only when non-zero. */
export function pythonIsoformat(date: Date): string {
  const iso = date.toISOString().slice(0, 23); // YYYY-MM-DDTHH:MM:SS.mmm
  const millis = date.getUTCMilliseconds();
  return millis === 0 ? iso.slice(0, 19) : `${iso}000`;
}

export interface RestoredMetadata {
  metadata: PyMap;
  /** State keys found in the metadata JSON. */
  state: Map<string, Node>;
  /** The root order ckpt recorded, if it did. */
  stateOrder: string[] | undefined;
  regionNames: Map<string, string>;
  absent: string[];
  /** The metadata JSON's keys as the file has them (for fixtures and `info`). */
  rawKeys: string[];
}

/**
 * Splits the metadata JSON back into metadata and state: keys listed in `state_keys`
 * (or, for files from the reference writer, config/theta/scheduler/trial_state) move to
 * the state; keys ckpt added are dropped and values it replaced restored.
 */
export function restoreMetadata(json: PyMap): RestoredMetadata {
  const metadata: PyMap = new Map(json);
  const rawKeys = [...json.keys()].map(String);
  const stateKeys = stringList(metadata.get("state_keys"));
  const names = metadata.get("region_names");
  const bookkeeping = metadata.get("ckpt_metadata");
  for (const key of BOOKKEEPING) metadata.delete(key);

  const state = new Map<string, Node>();
  for (const key of stateKeys ?? REFERENCE_MOVED_KEYS) {
    if (metadata.has(key)) {
      state.set(key, metadata.get(key)!);
      metadata.delete(key);
    }
  }
  const regionNames = new Map<string, string>();
  if (names instanceof Map) for (const [k, v] of names) if (typeof k === "string" && typeof v === "string") regionNames.set(k, v);
  let absent: string[] = [];
  if (bookkeeping instanceof Map) {
    for (const key of stringList(bookkeeping.get("added")) ?? []) metadata.delete(key);
    const replaced = bookkeeping.get("replaced");
    if (replaced instanceof Map) for (const [k, v] of replaced) metadata.set(k, v);
    absent = stringList(bookkeeping.get("absent")) ?? [];
  }
  return { metadata, state, stateOrder: stateKeys, regionNames, absent, rawKeys };
}

function stringList(value: Node | undefined): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : undefined;
}
