import { rmSync } from "node:fs";

/**
 * Temp files and folders in use right now. A process stopped by a signal never reaches
 * the `finally` blocks that would remove them, so the CLI's signal handler calls
 * `removeTrackedTemps` to leave no half-written `.ckpt-tmp` file beside a destination.
 */
const inUse = new Set<string>();

/** Records `path` as in use; the returned function forgets it again. */
export function trackTemp(path: string): () => void {
  inUse.add(path);
  return () => inUse.delete(path);
}

/** Removes every tracked temp file or folder, synchronously (safe inside a signal handler). */
export function removeTrackedTemps(): void {
  for (const path of inUse) rmSync(path, { recursive: true, force: true });
  inUse.clear();
}
