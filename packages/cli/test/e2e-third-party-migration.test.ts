/**
 * End to end, as a user would install ckpt: a temporary project outside the workspace
 * gets @ckpt/core and @ckpt/cli from `pnpm pack` tarballs, a small format plugin and a
 * third-party migration package (family "acme-brain", 1→2), both written here against
 * core's public API only; the installed `ckpt` lists and applies the migration.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCkpt } from "./run-cli.js";

const packagesDir = fileURLToPath(new URL("../..", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "ckpt-e2e-migration-"));
const projectDir = join(root, "project");
const bin = join(projectDir, "node_modules", "@ckpt", "cli", "bin", "ckpt.js");
const ckpt = (...args: string[]) => runCkpt(args, { cwd: projectDir, bin });

/** "ACME\n" + Python-style JSON, no tensors: enough to carry a brain tree. */
const FORMAT = `
import { parsePythonJson, dumpPythonJson } from "@ckpt/core";
export default {
  kind: "format", id: "acmejson", extensions: [".acme"],
  capabilities: { dtypes: [], nodeKinds: ["map", "list", "int", "float", "str", "bool", "none"] },
  async decode(input) {
    return { root: parsePythonJson(Buffer.from(await input.file.read(0, input.file.size)).toString("utf8").slice(5)) };
  },
  async *encode(checkpoint) { yield Buffer.from("ACME\\n" + dumpPythonJson(checkpoint.root, 2)); },
};
`;

/** acme-brain: v1 has root "neurons", v2 renames it to "cells" and adds "units". */
const MIGRATION = `
export default {
  kind: "migration", id: "acme-brain",
  detectors: [{
    family: "acme-brain",
    detect(root) {
      if (!(root instanceof Map)) return null;
      if (root.has("cells")) return "2";
      if (root.has("neurons")) return "1";
      return null;
    },
  }],
  steps: [{
    family: "acme-brain", from: "1", to: "2", formatVersion: "2.0", description: "neurons → cells",
    migrate(root) {
      const out = new Map();
      for (const [k, v] of root) out.set(k === "neurons" ? "cells" : k, v);
      out.set("units", "mV");
      return out;
    },
  }],
};
`;

function pack(dir: string): string {
  const printed = execFileSync("pnpm", ["pack", "--pack-destination", root], { cwd: dir, encoding: "utf8" });
  return basename(printed.trim().split("\n").pop()!);
}

function makePackage(name: string, code: string, ckptField: object): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "index.js"), code);
  writeFileSync(join(dir, "package.json"), JSON.stringify({
    name, version: "1.0.0", type: "module", main: "index.js", peerDependencies: { "@ckpt/core": "^0.1.0" }, ckpt: ckptField,
  }, null, 2));
  return pack(dir);
}

before(() => {
  mkdirSync(projectDir);
  const coreTgz = pack(join(packagesDir, "core"));
  const cliTgz = pack(join(packagesDir, "cli"));
  const formatTgz = makePackage("ckpt-format-acmejson", FORMAT, { kind: "format", id: "acmejson", entry: "./index.js", apiVersion: 1, extensions: [".acme"], magic: [{ hex: Buffer.from("ACME").toString("hex") }] });
  const migrationTgz = makePackage("ckpt-migrate-acme", MIGRATION, { kind: "migration", id: "acme-brain", entry: "./index.js", apiVersion: 1 });
  writeFileSync(join(projectDir, "package.json"), JSON.stringify({
    name: "user-project", private: true,
    dependencies: {
      "@ckpt/core": `file:../${coreTgz}`, "@ckpt/cli": `file:../${cliTgz}`,
      "ckpt-format-acmejson": `file:../${formatTgz}`, "ckpt-migrate-acme": `file:../${migrationTgz}`,
    },
    pnpm: { overrides: { "@ckpt/core": `file:../${coreTgz}` } },
  }, null, 2));
  execFileSync("pnpm", ["install", "--no-frozen-lockfile", "--config.auto-install-peers=true"], { cwd: projectDir, stdio: "pipe", timeout: 300_000 });
});

test("ckpt plugins lists the third-party migration", () => {
  const result = ckpt("plugins", "--json");
  assert.equal(result.status, 0, result.stderr);
  const { plugins } = JSON.parse(result.stdout) as { plugins: { id: string; kind: string; package: string }[] };
  assert.deepEqual(plugins.map((p) => [p.kind, p.id, p.package]).sort(), [["format", "acmejson", "ckpt-format-acmejson"], ["migration", "acme-brain", "ckpt-migrate-acme"]]);
});

test("ckpt info shows the family, and convert --to-schema 2 applies the step and records it", () => {
  writeFileSync(join(projectDir, "brain.acme"), 'ACME\n{"metadata": {"epoch": 1}, "neurons": {"n": 3, "v": 0.5}}');
  const info = ckpt("info", "brain.acme", "--json");
  assert.equal(info.status, 0, info.stderr);
  assert.deepEqual((({ schemaFamily, schemaVersion }) => [schemaFamily, schemaVersion])(JSON.parse(info.stdout) as { schemaFamily: string; schemaVersion: string }), ["acme-brain", "1"]);

  const converted = ckpt("convert", "brain.acme", "brain2.acme", "--to-schema", "2");
  assert.equal(converted.status, 0, converted.stderr);
  assert.match(converted.stdout, /migrate acme-brain 1→2/);
  const manifest = ckpt("manifest", "brain2.acme", "--json");
  assert.equal(manifest.status, 0, manifest.stderr);
  const tree = (JSON.parse(manifest.stdout) as { tree: Record<string, unknown> }).tree;
  assert.deepEqual(tree.metadata, { epoch: 1, migrations: [{ from: "1", to: "2" }], checkpoint_format_version: "2.0" });
  assert.deepEqual(tree.cells, { n: 3, v: 0.5 });
  assert.equal(tree.units, "mV");
  assert.equal(tree.neurons, undefined);

  const dry = ckpt("migrate", "brain.acme", "--to", "2", "--dry-run");
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /moved +neurons\.n → cells\.n/);
  const noPath = ckpt("convert", "brain2.acme", "brain3.acme", "--to-schema", "3");
  assert.equal(noPath.status, 13);
});
