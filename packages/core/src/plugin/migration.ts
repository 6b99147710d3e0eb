import type { PyMap } from "../model/node.js";

/**
 * One schema step, a pure function from tree to tree. `family` names the layout the
 * versions belong to (`thalia-brain`), so unrelated checkpoints are never migrated.
 */
export interface MigrationStep {
  readonly family: string;
  readonly from: string;
  readonly to: string;
  readonly description: string;
  /** What `metadata.checkpoint_format_version` becomes (defaults to `to`), e.g. "2.0". */
  readonly formatVersion?: string;
  migrate(root: PyMap): PyMap;
}

/** Recognises a schema version from structure; returns null when the tree is not of this family. */
export interface SchemaDetector {
  readonly family: string;
  detect(root: PyMap): string | null;
}

/** What a migration package exports: detectors and steps for one or more families. */
export interface MigrationPlugin {
  readonly kind: "migration";
  readonly id: string;
  readonly detectors: readonly SchemaDetector[];
  readonly steps: readonly MigrationStep[];
}
