import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CKPT_BIN = fileURLToPath(new URL("../bin/ckpt.js", import.meta.url));

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a ckpt executable (the workspace one by default) and captures everything. */
export function runCkpt(args: string[], options: { cwd?: string; bin?: string } = {}): CliResult {
  const run = spawnSync(process.execPath, [options.bin ?? CKPT_BIN, ...args], { cwd: options.cwd, encoding: "utf8", timeout: 60_000 });
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}
