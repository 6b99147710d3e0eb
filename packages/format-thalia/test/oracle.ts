import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { TestContext } from "node:test";
import { parsePythonJson, type PyMap } from "@ckpt/core";

const PYTHON = "/usr/bin/python3";
const READER = fileURLToPath(new URL("./oracle/reference_reader.py", import.meta.url));

/** True when Debian's PyTorch is installed; in CI its absence fails the test instead of skipping it. */
export function hasTorch(t: TestContext): boolean {
  const ok = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch, zstandard, lz4"]).status === 0;
  if (!ok && process.env.CI === "true") throw new Error("the interop oracles (python3-torch, python3-zstandard, python3-lz4) are missing in CI");
  if (!ok) t.skip("python3-torch / python3-zstandard / python3-lz4 not installed (scripts/install-oracles.sh)");
  return ok;
}

/** Loads `path` with the independent reference-style reader; returns its manifest output. */
export function referenceRead(path: string, codec?: "zstd" | "lz4"): PyMap {
  const run = spawnSync(PYTHON, [READER, path, ...(codec ? [codec] : [])], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`reference-style reader failed on ${path}: ${run.stderr.trim().split("\n").pop()}`);
  return parsePythonJson(run.stdout) as PyMap;
}
