import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCkpt } from "./run-cli.js";
import { FIXTURES } from "./fixtures.js";

const BAD = join(FIXTURES, "bad");
const files = readdirSync(BAD).filter((f) => !f.endsWith(".expect.json"));

for (const name of files) {
  test(`ckpt validate/manifest bad/${name}: one line, exit ≠ 0, fast, nothing executed`, () => {
    const cwd = mkdtempSync(join(tmpdir(), "ckpt-bad-cli-"));
    const path = join(BAD, name);
    const started = performance.now();
    const manifest = runCkpt(["manifest", path], { cwd });
    const elapsed = performance.now() - started;
    assert.notEqual(manifest.status, 0);
    assert.equal(manifest.stdout, "");
    const lines = manifest.stderr.split("\n").filter(Boolean);
    assert.equal(lines.length, 1, manifest.stderr);
    assert.ok(lines[0]!.startsWith(`ckpt: ${path}`), lines[0]);
    assert.ok(elapsed < 3000, `took ${elapsed.toFixed(0)} ms`); // includes starting Node
    const validate = runCkpt(["validate", path], { cwd });
    assert.notEqual(validate.status, 0);
    assert.ok(!existsSync(join(cwd, "ckpt-pwned-marker")), "a hostile pickle ran");
  });
}
