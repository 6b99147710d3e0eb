import { walkTensors } from "../model/node.js";
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
 * so memory stays at two blocks however large the checkpoints are. Progress (bytes of A's
 * tensors reached) goes to `options.reporter`.
 */
export function diff(a: string, b: string, options: InspectOptions = {}): Promise<FileDiff> {
  return withCheckpoint(a, options, (left, registry) =>
    withCheckpoint(b, { ...options, registry }, async (right) => {
      const reporter = options.reporter;
      let total = 0;
      if (reporter) for (const { tensor } of walkTensors(left.checkpoint.root)) total += tensor.byteLength;
      let compared = 0;
      const { differences, tensorsCompared } = await diffTrees(left.checkpoint.root, right.checkpoint.root, {
        onTensor: (_path, tensor) => reporter?.progress("comparing", (compared += tensor.byteLength), total),
      });
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
