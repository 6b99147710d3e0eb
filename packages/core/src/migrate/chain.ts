import { CkptError } from "../errors.js";
import type { Node, PyMap } from "../model/node.js";
import type { MigrationPlugin, MigrationStep } from "../plugin/migration.js";

export interface DetectedSchema {
  family: string;
  version: string;
}

/** The first detector (in plugin order) that recognises the tree. */
export function detectSchema(plugins: readonly MigrationPlugin[], root: PyMap): DetectedSchema | null {
  for (const plugin of plugins) {
    for (const detector of plugin.detectors) {
      const version = detector.detect(root);
      if (version !== null) return { family: detector.family, version };
    }
  }
  return null;
}

/** The shortest chain of steps from `from` to `to` within `family` (breadth first). */
export function findMigrationPath(plugins: readonly MigrationPlugin[], family: string, from: string, to: string): MigrationStep[] {
  if (from === to) return [];
  const steps = plugins.flatMap((p) => p.steps).filter((s) => s.family === family);
  const previous = new Map<string, MigrationStep>();
  const queue = [from];
  while (queue.length > 0) {
    const version = queue.shift()!;
    for (const step of steps.filter((s) => s.from === version)) {
      if (step.to === from || previous.has(step.to)) continue;
      previous.set(step.to, step);
      if (step.to === to) {
        const path: MigrationStep[] = [];
        for (let v = to; v !== from; v = previous.get(v)!.from) path.unshift(previous.get(v)!);
        return path;
      }
      queue.push(step.to);
    }
  }
  const known = steps.map((s) => `${s.from}→${s.to}`).join(", ") || "none installed";
  throw new CkptError("MIGRATION", `no migration path for ${family} from version ${from} to ${to} (known steps: ${known})`);
}

/**
 * Applies the steps in order, recording each as `{from, to}` in `metadata.migrations`
 * and the new version in `metadata.checkpoint_format_version`.
 */
export function runMigrations(root: PyMap, path: readonly MigrationStep[]): PyMap {
  let current = root;
  for (const step of path) {
    current = new Map(step.migrate(current));
    const old = current.get("metadata");
    const metadata: PyMap = new Map(old instanceof Map ? old : []);
    const applied = Array.isArray(metadata.get("migrations")) ? [...(metadata.get("migrations") as Node[])] : [];
    applied.push(new Map<string, Node>([["from", step.from], ["to", step.to]]));
    metadata.set("migrations", applied);
    metadata.set("checkpoint_format_version", step.formatVersion ?? step.to);
    if (!current.has("metadata")) current = new Map([["metadata", metadata], ...current]);
    else current.set("metadata", metadata);
  }
  return current;
}
