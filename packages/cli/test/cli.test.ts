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
  type Listed = { id: string; kind: string; capabilities: Record<string, unknown> | null; loadError: string | null };
  const parsed = JSON.parse(result.stdout) as { plugins: Listed[]; refused: unknown[] };
  assert.ok(Array.isArray(parsed.refused));
  // The workspace installs every first-party plugin; each loads and says what it can do.
  const byId = new Map(parsed.plugins.map((p) => [p.id, p]));
  for (const p of parsed.plugins) assert.equal(p.loadError, null, p.id);
  assert.ok((byId.get("pt")?.capabilities?.["dtypes"] as string[]).includes("bf16"));
  assert.ok((byId.get("thalia")?.capabilities?.["options"] as string[]).includes("verifyChecksum"));
  assert.deepEqual(byId.get("zstd")?.capabilities?.["levels"], { min: 1, max: 22, default: 3 });
  assert.deepEqual(byId.get("thalia-brain")?.capabilities?.["steps"], ["thalia-brain 1→2"]);
});
