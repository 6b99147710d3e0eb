/**
 * End to end, as a user would install ckpt: a temporary project outside the workspace
 * gets @ckpt/core and @ckpt/cli from `pnpm pack` tarballs plus a third-party format
 * plugin written here against core's public API only, and the installed `ckpt` is run.
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
const root = mkdtempSync(join(tmpdir(), "ckpt-e2e-"));
const projectDir = join(root, "project");
const bin = join(projectDir, "node_modules", "@ckpt", "cli", "bin", "ckpt.js");
const ckpt = (...args: string[]) => runCkpt(args, { cwd: projectDir, bin });

/** The third-party plugin: "TOYJ\n" + JSON, tensors as hex. Plain JS, only @ckpt/core's public API. */
const TOY_PLUGIN = `
import { Tensor, parsePythonJson, dumpPythonJson } from "@ckpt/core";

const tag = async (node) => {
  if (node instanceof Tensor) {
    return new Map([["$tensor", node.dtype], ["shape", node.shape.map(BigInt)], ["hex", Buffer.from(await node.source.read()).toString("hex")]]);
  }
  if (node instanceof Map) { const out = new Map(); for (const [k, v] of node) out.set(k, await tag(v)); return out; }
  if (Array.isArray(node)) return Promise.all(node.map(tag));
  return node;
};
const untag = (node) => {
  if (Array.isArray(node)) return node.map(untag);
  if (!(node instanceof Map)) return node;
  if (node.has("$tensor")) return Tensor.fromBytes(node.get("$tensor"), node.get("shape").map(Number), new Uint8Array(Buffer.from(node.get("hex"), "hex")));
  return new Map([...node].map(([k, v]) => [k, untag(v)]));
};

export default {
  kind: "format",
  id: "toyjson",
  extensions: [".toyj"],
  capabilities: { dtypes: ["f32", "i64"], nodeKinds: ["map", "list", "int", "float", "str", "bool", "none", "tensor"] },
  async decode(input) {
    const text = Buffer.from(await input.file.read(0, input.file.size)).toString("utf8");
    return { root: untag(parsePythonJson(text.slice(5))) };
  },
  async *encode(checkpoint) {
    yield Buffer.from("TOYJ\\n" + dumpPythonJson(await tag(checkpoint.root), 2));
  },
};
`;

/** `pnpm pack` into the temp root; returns the tarball's file name (pnpm prints its path last). */
function pack(dir: string): string {
  const printed = execFileSync("pnpm", ["pack", "--pack-destination", root], { cwd: dir, encoding: "utf8" });
  return basename(printed.trim().split("\n").pop()!);
}

function makePlugin(name: string, apiVersion: number, extension: string, magicHex: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "index.js"), TOY_PLUGIN);
  writeFileSync(join(dir, "package.json"), JSON.stringify({
    name, version: "1.0.0", type: "module", main: "index.js",
    peerDependencies: { "@ckpt/core": "^0.1.0" },
    ckpt: { kind: "format", id: "toyjson", entry: "./index.js", apiVersion, extensions: [extension], magic: [{ hex: magicHex }] },
  }, null, 2));
  return pack(dir);
}

function install(dependencies: Record<string, string>, overrides: Record<string, string>): void {
  writeFileSync(join(projectDir, "package.json"), JSON.stringify({ name: "user-project", private: true, dependencies, pnpm: { overrides } }, null, 2));
  execFileSync("pnpm", ["install", "--no-frozen-lockfile", "--config.auto-install-peers=true"], { cwd: projectDir, stdio: "pipe", timeout: 300_000 });
}

let coreTgz = "";
let cliTgz = "";

before(() => {
  mkdirSync(projectDir);
  coreTgz = pack(join(packagesDir, "core"));
  cliTgz = pack(join(packagesDir, "cli"));
  const pluginTgz = makePlugin("ckpt-format-toyjson", 1, ".toyj", Buffer.from("TOYJ").toString("hex"));
  install(
    { "@ckpt/core": `file:../${coreTgz}`, "@ckpt/cli": `file:../${cliTgz}`, "ckpt-format-toyjson": `file:../${pluginTgz}` },
    { "@ckpt/core": `file:../${coreTgz}` },
  );
});

test("ckpt plugins lists exactly the installed third-party plugin", () => {
  const result = ckpt("plugins", "--json");
  assert.equal(result.status, 0, result.stderr);
  const { plugins, refused } = JSON.parse(result.stdout) as { plugins: { id: string; kind: string; package: string }[]; refused: unknown[] };
  assert.deepEqual(plugins.map((p) => [p.kind, p.id, p.package]), [["format", "toyjson", "ckpt-format-toyjson"]]);
  assert.deepEqual(refused, []);
});

test("ckpt convert reads and writes the plugin's format", () => {
  const src = join(projectDir, "brain.toyj");
  writeFileSync(src, 'TOYJ\n{"regions": {"cortex": {"w": {"$tensor": "f32", "shape": [2], "hex": "0000803f00000040"}, "n": 3, "dt": 1.0}}}');
  const result = ckpt("convert", "brain.toyj", "copy.toyj");
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /brain\.toyj \(toyjson.*→ copy\.toyj \(toyjson/);
  const a = ckpt("manifest", "brain.toyj");
  const b = ckpt("manifest", "copy.toyj");
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  assert.match(a.stdout, /"n": 3,/);
  assert.match(a.stdout, /"dt": 1\.0/);
  const back = ckpt("convert", "copy.toyj", "again.toyj");
  assert.equal(back.status, 0, back.stderr);
});

test("a file of a known but uninstalled format gets the install hint", () => {
  writeFileSync(join(projectDir, "brain.safetensors"), Buffer.concat([Buffer.from([8, 0, 0, 0, 0, 0, 0, 0]), Buffer.from("{}      ")]));
  const result = ckpt("info", "brain.safetensors");
  assert.equal(result.status, 5);
  assert.equal(result.stderr, "ckpt: brain.safetensors looks like safetensors, but @ckpt/format-safetensors is not installed\n");
});

test("a plugin declaring an incompatible apiVersion is refused, by name", () => {
  const futureTgz = makePlugin("ckpt-format-from-the-future", 99, ".future", Buffer.from("FUTR").toString("hex"));
  install(
    { "@ckpt/core": `file:../${coreTgz}`, "@ckpt/cli": `file:../${cliTgz}`, "ckpt-format-from-the-future": `file:../${futureTgz}` },
    { "@ckpt/core": `file:../${coreTgz}` },
  );
  const listed = ckpt("plugins");
  assert.equal(listed.status, 0);
  assert.match(listed.stdout, /refused\s+ckpt-format-from-the-future@1\.0\.0: it was written for plugin API 99/);
  writeFileSync(join(projectDir, "x.future"), "FUTR and more");
  const used = ckpt("info", "x.future");
  assert.equal(used.status, 6);
  assert.match(used.stderr, /ckpt-format-from-the-future@1\.0\.0, but that plugin was refused: it was written for plugin API 99/);
});
