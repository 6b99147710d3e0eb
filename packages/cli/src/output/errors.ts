import { CkptError, asCkptError } from "@ckpt/core";

/**
 * Prints a failure as one line on stderr (`ckpt: brain.pt: …`), the stack only with
 * --debug, and returns the documented exit code for it.
 */
export function reportFailure(error: unknown, options: { debug: boolean; json: boolean }): number {
  const failure = error instanceof CkptError ? error : asCkptError(error);
  if (options.json) {
    process.stdout.write(JSON.stringify({ error: { code: failure.code, message: failure.message, file: failure.file ?? null } }) + "\n");
  }
  process.stderr.write(`ckpt: ${failure.message}\n`);
  if (options.debug) {
    const original = failure.cause instanceof Error ? failure.cause : failure;
    process.stderr.write(`${original.stack ?? String(original)}\n`);
  }
  return failure.exitCode;
}
