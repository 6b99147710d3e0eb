#!/usr/bin/env node
// The whole suite: build, lint, typecheck and every package's tests (through turbo),
// then one closing line "N passed, N failed" summed over all packages' TAP reports.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const results = join(root, ".test-results");
rmSync(results, { recursive: true, force: true });

// Every package is built first: tests (core's discovery, the CLI) load the installed
// plugins from node_modules, which turbo's per-package dependency graph does not order.
const build = spawnSync("pnpm", ["exec", "turbo", "run", "build", ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
const turbo = build.status !== 0 ? build : spawnSync("pnpm", ["exec", "turbo", "run", "lint", "typecheck", "test", "--continue", "--concurrency=1", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(results)) {
  for (const file of readdirSync(results).filter((f) => f.endsWith(".tap"))) {
    const text = readFileSync(join(results, file), "utf8");
    passed += count(text, "pass");
    failed += count(text, "fail");
    skipped += count(text, "skipped");
  }
}
const status = turbo.status ?? 1;
if (status !== 0 && failed === 0) failed = 1; // a build, lint or typecheck failure fails the suite too
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status !== 0 ? status : failed > 0 ? 1 : 0);

function count(tap, word) {
  const match = new RegExp(`^# ${word} (\\d+)$`, "m").exec(tap);
  return match ? Number(match[1]) : 0;
}
