import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCkpt } from "./run-cli.js";

test("--help lists every command", () => {
  const result = runCkpt(["--help"]);
  assert.equal(result.status, 0);
  for (const command of ["convert", "info", "manifest", "validate", "plugins"]) assert.match(result.stdout, new RegExp(`\\b${command}\\b`));
});

test("usage errors exit 2", () => {
  assert.equal(runCkpt(["frobnicate"]).status, 2);
  assert.equal(runCkpt(["convert", "only-one-arg"]).status, 2);
});

test("a missing file is one line naming it, exit 3, no stack trace", () => {
  const result = runCkpt(["info", "does-not-exist.pt"]);
  assert.equal(result.status, 3);
  assert.equal(result.stderr, "ckpt: does-not-exist.pt: no such file\n");
});

test("--debug adds the stack trace", () => {
  const result = runCkpt(["info", "does-not-exist.pt", "--debug"]);
  assert.equal(result.status, 3);
  assert.match(result.stderr, /^ckpt: does-not-exist.pt: no such file\n.*\n\s+at /s);
});

test("--json errors are machine-readable", () => {
  const dir = mkdtempSync(join(tmpdir(), "ckpt-cli-"));
  const file = join(dir, "noise.dat");
  writeFileSync(file, "not a checkpoint at all");
  const result = runCkpt(["info", file, "--json"]);
  assert.equal(result.status, 4);
  const parsed = JSON.parse(result.stdout) as { error: { code: string; file: string } };
  assert.equal(parsed.error.code, "UNKNOWN_FORMAT");
  assert.equal(parsed.error.file, file);
  assert.equal(result.stderr.split("\n").filter(Boolean).length, 1);
});

test("plugins --json reports plugins and refusals", () => {
  const result = runCkpt(["plugins", "--json"]);
  assert.equal(result.status, 0);
  const parsed = JSON.parse(result.stdout) as { plugins: unknown[]; refused: unknown[] };
  assert.ok(Array.isArray(parsed.plugins));
  assert.ok(Array.isArray(parsed.refused));
});
