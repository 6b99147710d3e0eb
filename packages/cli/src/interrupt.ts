import { removeTrackedTemps } from "@ckpt/core";

const SIGNALS = [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const;
let installed = false;

/**
 * Ctrl-C (or a kill) mid-conversion: remove ckpt's temp files before exiting, so no
 * half-written `.ckpt-tmp` file is left beside the destination (which was never
 * touched), and exit with 128 + the signal's number, as shells expect.
 */
export function cleanUpOnSignals(): void {
  if (installed) return;
  installed = true;
  for (const [signal, code] of SIGNALS) {
    process.once(signal, () => {
      removeTrackedTemps();
      process.stderr.write(`\nckpt: interrupted (${signal}); temporary files removed, no output written\n`);
      process.exit(code);
    });
  }
}
