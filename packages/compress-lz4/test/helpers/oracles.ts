/**
 * The interop oracles: the `lz4` command-line tool and Python's `lz4.frame` (Debian's
 * python3-lz4, hence /usr/bin/python3 rather than whatever python3 is first on PATH).
 * A test that needs a missing oracle fails under CI=true and is skipped elsewhere.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import type { TestContext } from "node:test";

export const PYTHON = "/usr/bin/python3";

let cli: boolean | undefined;
let python: boolean | undefined;

function works(command: string, args: string[]): boolean {
  const run = spawnSync(command, args, { stdio: "ignore" });
  return run.status === 0;
}

/** True when the oracle is there; otherwise fails the test (CI) or skips it. */
export function need(t: TestContext, oracle: "lz4" | "python"): boolean {
  if (oracle === "lz4") cli ??= works("lz4", ["--version"]);
  else python ??= works(PYTHON, ["-c", "import lz4.frame"]);
  if (oracle === "lz4" ? cli : python) return true;
  const what = oracle === "lz4" ? "the lz4 command-line tool" : `${PYTHON} with the lz4 module`;
  if (process.env.CI === "true") assert.fail(`${what} is missing (scripts/install-oracles.sh installs it)`);
  t.skip(`${what} is not installed`);
  return false;
}

/** Runs a command, failing the test with its stderr when it exits non-zero. */
export function run(command: string, args: string[], input?: Uint8Array): Buffer {
  const result = spawnSync(command, args, { input, maxBuffer: 1 << 30 });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    assert.fail(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr.toString().trim()}`);
  }
  return result.stdout;
}

/** Runs a Python snippet with /usr/bin/python3; `sys.argv[1:]` are `args`, `input` its stdin. */
export function py(code: string, args: string[] = [], input?: Uint8Array): Buffer {
  return run(PYTHON, ["-c", code, ...args], input);
}
