import { withCheckpoint, type InspectOptions } from "../pipeline/inspect.js";
import { diffTrees, type Difference } from "./tree-diff.js";

/** `ckpt diff A B`: what differs between two checkpoint files of any formats and codecs. */
export interface FileDiff {
  a: { path: string; format: string; codec: string | null };
  b: { path: string; format: string; codec: string | null };
  identical: boolean;
  tensorsCompared: number;
  differences: Difference[];
}

/**
 * Opens both files (each with its own plugins' reader, decompressed as needed) and
 * compares their trees (see `diffTrees`). Tensor bytes are streamed one pair at a time,
 * so memory stays at two blocks however large the checkpoints are.
 */
export function diff(a: string, b: string, options: InspectOptions = {}): Promise<FileDiff> {
  return withCheckpoint(a, options, (left, registry) =>
    withCheckpoint(b, { ...options, registry }, async (right) => {
      const { differences, tensorsCompared } = await diffTrees(left.checkpoint.root, right.checkpoint.root);
      return {
        a: { path: a, format: left.format, codec: left.codec },
        b: { path: b, format: right.format, codec: right.codec },
        identical: differences.length === 0,
        tensorsCompared,
        differences,
      };
    }),
  );
}
