/**
 * The reference implementations the interop tests compare against: the zstd CLI and
 * Python's `zstandard` (Debian's python3-zstandard, hence /usr/bin/python3, not whatever
 * python3 comes first on PATH). Missing oracles skip a test locally, but fail it in CI.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import type { TestContext } from "node:test";

export const PYTHON = "/usr/bin/python3";
const BIG = { maxBuffer: 1 << 30 };

function works(command: string, args: string[]): boolean {
  const run = spawnSync(command, args, { stdio: "ignore" });
  return run.status === 0;
}

export const HAVE_ZSTD_CLI = works("zstd", ["--version"]);
export const HAVE_PY_ZSTANDARD = works(PYTHON, ["-c", "import zstandard"]);

/** True when the oracle is there; otherwise skips the test, or fails it when CI=true. */
export function needOracle(t: TestContext, oracle: "zstd CLI" | "python zstandard"): boolean {
  const present = oracle === "zstd CLI" ? HAVE_ZSTD_CLI : HAVE_PY_ZSTANDARD;
  if (present) return true;
  const hint = oracle === "zstd CLI" ? "apt-get install zstd" : `apt-get install python3-zstandard (for ${PYTHON})`;
  if (process.env.CI === "true") assert.fail(`${oracle} is missing and CI=true requires it (${hint})`);
  t.skip(`${oracle} not installed (${hint})`);
  return false;
}

/** Runs the zstd CLI; `input` goes through a pipe (so the CLI cannot know the size). */
export function zstdCli(args: string[], input?: Uint8Array): Buffer {
  return execFileSync("zstd", ["-q", ...args], { ...BIG, ...(input && { input }), stdio: input ? "pipe" : ["ignore", "pipe", "pipe"] });
}

/** Runs a Python snippet with /usr/bin/python3; `sys.argv[1:]` are `args`. Returns stdout. */
export function python(code: string, args: string[] = []): string {
  return execFileSync(PYTHON, ["-c", code, ...args], { ...BIG, encoding: "utf8" }).trim();
}

/** Python's one-shot decompress: needs the content size in the frame header. Returns "length sha256". */
export const PY_ONE_SHOT = `
import sys, hashlib, zstandard
data = zstandard.ZstdDecompressor().decompress(open(sys.argv[1], "rb").read())
print(len(data), hashlib.sha256(data).hexdigest())
`;

/** Python's streaming decompress: works without a content size. Returns "length sha256". */
export const PY_STREAM = `
import sys, hashlib, zstandard
h, n = hashlib.sha256(), 0
with open(sys.argv[1], "rb") as f, zstandard.ZstdDecompressor().stream_reader(f, read_across_frames=True) as r:
    while chunk := r.read(1 << 20):
        h.update(chunk); n += len(chunk)
print(n, h.hexdigest())
`;
