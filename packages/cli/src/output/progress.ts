import type { Reporter } from "@ckpt/core";
import { formatBytes } from "./format.js";

/**
 * A reporter for the terminal: a progress bar on stderr when both stdout and stderr are
 * terminals (redrawn at most ten times a second), warnings and lossy steps as lines.
 */
export function terminalReporter(options: { quiet: boolean }): Reporter & { done(): void } {
  const interactive = Boolean(process.stdout.isTTY && process.stderr.isTTY) && !options.quiet;
  let lastDraw = 0;
  let drawn = false;
  const clear = () => {
    if (drawn) process.stderr.write("\r\x1b[K");
    drawn = false;
  };
  return {
    progress(label, done, total) {
      if (!interactive) return;
      const now = Date.now();
      if (now - lastDraw < 100 && done < total) return;
      lastDraw = now;
      const fraction = total > 0 ? Math.min(1, done / total) : 0;
      const width = 30;
      const filled = Math.round(fraction * width);
      process.stderr.write(`\r\x1b[K[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${label} ${formatBytes(done)} / ${formatBytes(total)}`);
      drawn = true;
    },
    warn(message) {
      clear();
      if (!options.quiet) process.stderr.write(`warning: ${message}\n`);
    },
    lossy(message) {
      clear();
      if (!options.quiet) process.stderr.write(`lossy: ${message}\n`);
    },
    done: clear,
  };
}
