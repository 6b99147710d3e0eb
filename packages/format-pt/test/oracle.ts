import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { TestContext } from "node:test";
import { parsePythonJson, type PyMap } from "@ckpt/core";

const PYTHON = "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./oracle/torch_manifest.py", import.meta.url));

/** True when Debian's PyTorch is installed; in CI its absence fails instead of skipping. */
export function hasTorch(t: TestContext): boolean {
  const ok = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch"]).status === 0;
  if (!ok && process.env.CI === "true") throw new Error("python3-torch (the interop oracle) is missing in CI");
  if (!ok) t.skip("python3-torch not installed (scripts/install-oracles.sh)");
  return ok;
}

/** What PyTorch's torch.load makes of `path`, as a canonical manifest. */
export function torchManifest(path: string, options: { weightsOnly?: boolean } = {}): { tree: PyMap; type: string } {
  const run = spawnSync(PYTHON, [SCRIPT, "load", path, ...(options.weightsOnly ? ["--weights-only"] : [])], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`torch.load failed on ${path}: ${run.stderr.trim().split("\n").pop()}`);
  const parsed = parsePythonJson(run.stdout) as PyMap;
  return { tree: parsed.get("tree") as PyMap, type: parsed.get("type") as string };
}

/** Saves the oracle's built state (every dtype, views, containers, big ints, NaN) with torch.save. */
export function torchSaveBuiltState(path: string): void {
  const run = spawnSync(PYTHON, [SCRIPT, "save", path], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`torch.save failed: ${run.stderr.trim().split("\n").pop()}`);
}
