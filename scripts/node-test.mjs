#!/usr/bin/env node
// Runs one package's tests (test/**/*.test.ts) with Node's test runner and tsx,
// printing the spec report and keeping a TAP copy for the suite-wide summary.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const files = findTests("test");
if (files.length === 0) {
  console.error(`${pkg.name}: no test files under test/`);
  process.exit(1);
}
const results = join(root, ".test-results");
mkdirSync(results, { recursive: true });
const tap = join(results, `${pkg.name.replace(/[@/]/g, "_")}.tap`);
const args = [
  "--import", "tsx",
  "--test", "--test-concurrency=1",
  "--test-reporter=spec", "--test-reporter-destination=stdout",
  "--test-reporter=tap", `--test-reporter-destination=${relative(process.cwd(), tap)}`,
  ...process.argv.slice(2),
  ...files,
];
const run = spawnSync(process.execPath, args, { stdio: "inherit" });
process.exit(run.status ?? 1);

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".test.ts"))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}
