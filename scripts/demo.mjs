#!/usr/bin/env node
// The README's main job: show the installed plugins, convert the bundled sample
// checkpoint to a compressed Thalia file in a temp folder, and print its info.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const ckpt = join(root, "packages/cli/bin/ckpt.js");
const sample = join(root, "samples/brain_sample.thalia");

function run(...args) {
  console.log(`\n$ ckpt ${args.join(" ")}`);
  const result = spawnSync(process.execPath, [ckpt, ...args], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run("plugins");
if (existsSync(sample)) {
  const out = join(mkdtempSync(join(tmpdir(), "ckpt-demo-")), "brain_sample.thalia.zst");
  run("convert", sample, out);
  run("info", out);
} else {
  console.log("\n(no sample checkpoint bundled yet: the format plugins arrive with their issues)");
}
