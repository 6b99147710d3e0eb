import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCkpt } from "./run-cli.js";
import { reference } from "./fixtures.js";

const info = (file: string) => {
  const result = runCkpt(["info", file, "--json"]);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as { schemaFamily: string | null; schemaVersion: string | null };
};

test("ckpt info --json reports schemaFamily and schemaVersion (null when unknown); text says it too", () => {
  assert.deepEqual([info(reference("brain_v1.thalia")).schemaFamily, info(reference("brain_v1.thalia")).schemaVersion], ["thalia-brain", "1"]);
  assert.equal(info(reference("brain_v2.torch26.ckpt")).schemaVersion, "2");
  const edge = info(reference("edge_cases.torch26.pt"));
  assert.deepEqual([edge.schemaFamily, edge.schemaVersion], [null, null]);
  assert.match(runCkpt(["info", reference("brain_v2.thalia")]).stdout, /^schema:\s+thalia-brain v2$/m);
  assert.match(runCkpt(["info", reference("edge_cases.torch26.pt")]).stdout, /^schema:\s+unknown$/m);
});

test("ckpt migrate --dry-run lists the steps and path changes and writes nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "ckpt-migrate-cli-"));
  const out = join(dir, "out.thalia");
  const result = runCkpt(["migrate", reference("brain_v1.torch26.pt"), "--to", "2", "--dry-run", "--output", out]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /thalia-brain v1 → v2 \(dry run, nothing written\)/);
  assert.match(result.stdout, /^ {2}step 1→2: /m);
  assert.match(result.stdout, /^ {2}moved +regions\.cortex\.weights\.feedforward → regions\.cortex\.synaptic_weights\.feedforward$/m);
  assert.match(result.stdout, /^ {2}moved +theta\.phase → oscillators\.theta\.phase$/m);
  assert.match(result.stdout, /^ {2}moved +scheduler\.current_time → current_time$/m);
  assert.match(result.stdout, /^ {2}legacy +trial_state\.phase → legacy\.trial_state\.phase$/m);
  assert.match(result.stdout, /^ {2}added +regions\.cortex\.n_neurons$/m);
  assert.doesNotMatch(result.stdout, /^ {2}removed/m);
  assert.deepEqual(readdirSync(dir), []);

  const json = runCkpt(["migrate", reference("brain_v1.thalia"), "--to", "2", "--dry-run", "--json"]);
  assert.equal(json.status, 0, json.stderr);
  const plan = JSON.parse(json.stdout) as { from: string; to: string; steps: unknown[]; changes: { kind: string; from?: string; to?: string }[] };
  assert.equal(plan.from, "1");
  assert.equal(plan.steps.length, 1);
  assert.ok(plan.changes.some((c) => c.kind === "renamed" || c.kind === "moved"));
  assert.ok(!plan.changes.some((c) => c.kind === "removed"));
  // Every tensor moves: 3 weights + 2 state + 2 traces per region; the traces stay in place.
  assert.equal(plan.changes.filter((c) => c.kind === "moved" && /\.(weights|region_state)\./.test(c.from ?? "")).length, 5 * 6);
});

test("ckpt migrate --output writes a v2 file; without --output it is a usage error", () => {
  const dir = mkdtempSync(join(tmpdir(), "ckpt-migrate-cli-"));
  const out = join(dir, "brain_v2.pt");
  const result = runCkpt(["migrate", reference("brain_v1.thalia"), "--to", "2", "--output", out]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /migrate thalia-brain 1→2/);
  assert.equal(info(out).schemaVersion, "2");
  const again = runCkpt(["migrate", reference("brain_v1.thalia"), "--to", "2", "--output", out]);
  assert.equal(again.status, 11, again.stderr);
  const usage = runCkpt(["migrate", reference("brain_v1.thalia"), "--to", "2"]);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /needs --output/);
});

test("ckpt convert --to-schema 2 migrates; --to-schema 3 fails with MIGRATION (13) and writes nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "ckpt-migrate-cli-"));
  const ok = runCkpt(["convert", reference("brain_v1.torch113.pt"), join(dir, "v2.safetensors"), "--to-schema", "2"]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /decode pt → migrate thalia-brain 1→2 → encode safetensors/);
  assert.equal(info(join(dir, "v2.safetensors")).schemaVersion, "2");
  const bad = runCkpt(["convert", reference("brain_v2.thalia"), join(dir, "v3.thalia"), "--to-schema", "3"]);
  assert.equal(bad.status, 13);
  assert.match(bad.stderr, /no migration path for thalia-brain from version 2 to 3/);
  assert.equal(bad.stderr.trim().split("\n").length, 1);
  assert.equal(existsSync(join(dir, "v3.thalia")), false);
});
