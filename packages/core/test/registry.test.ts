import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry, API_VERSION, CORE_VERSION } from "../src/index.js";

/** A fake installed package whose entry module leaves a marker file when imported. */
function installPlugin(project: string, name: string, ckpt: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const dir = join(project, "node_modules", ...name.split("/"));
  mkdirSync(dir, { recursive: true });
  const marker = join(dir, "imported.marker");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version: "1.2.3", type: "module", ckpt, ...extra }));
  writeFileSync(
    join(dir, "index.js"),
    `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "x");\n` +
      `export default { kind: "format", id: ${JSON.stringify(ckpt.id)}, extensions: [".lazy"], capabilities: { dtypes: [], nodeKinds: [] }, decode() {}, encode() {} };\n`,
  );
  writeFileSync(join(dir, "identify.js"), `export function identify(head) { return head[0] === 0x4c ? "yes" : "no"; }\n`);
  return marker;
}

function project(): string {
  return mkdtempSync(join(tmpdir(), "ckpt-registry-"));
}

test("discovery lists plugins from package.json alone; identify never imports the entry", async () => {
  const dir = project();
  const marker = installPlugin(dir, "@someone/ckpt-lazy", { kind: "format", id: "lazy", entry: "./index.js", apiVersion: API_VERSION, extensions: [".lazy"], magic: [{ hex: "4c415a59" }] });
  const registry = await Registry.discover({ from: [dir] });
  const found = registry.list().filter((d) => d.packageName === "@someone/ckpt-lazy");
  assert.equal(found.length, 1);
  assert.equal(found[0]!.version, "1.2.3");

  const byMagic = await registry.identify("format", new TextEncoder().encode("LAZY...."), "x.bin");
  assert.equal(byMagic?.descriptor.id, "lazy");
  assert.equal(byMagic?.by, "magic");
  const byExtension = await registry.identify("format", new Uint8Array([1, 2, 3]), "x.lazy");
  assert.equal(byExtension?.by, "extension");
  assert.equal(existsSync(marker), false, "identify must not import the plugin entry");

  const plugin = await registry.loadFormat("lazy");
  assert.equal(plugin.id, "lazy");
  assert.equal(existsSync(marker), true, "loading imports it");
});

test("a plugin's small identify module is used without importing its entry", async () => {
  const dir = project();
  const marker = installPlugin(dir, "ckpt-format-sniff", { kind: "format", id: "sniff", entry: "./index.js", identify: "./identify.js", apiVersion: API_VERSION });
  const registry = await Registry.discover({ from: [dir] });
  const found = await registry.identify("format", new Uint8Array([0x4c, 0, 0]), "no-extension");
  assert.equal(found?.descriptor.id, "sniff");
  assert.equal(found?.by, "identify");
  assert.equal(existsSync(marker), false);
});

test("incompatible plugins are refused with their name and the reason", async () => {
  const dir = project();
  installPlugin(dir, "ckpt-format-future", { kind: "format", id: "future", entry: "./index.js", apiVersion: 99 });
  installPlugin(dir, "ckpt-format-oldpeer", { kind: "format", id: "oldpeer", entry: "./index.js", apiVersion: API_VERSION }, { peerDependencies: { "@ckpt/core": "^9.0.0" } });
  installPlugin(dir, "ckpt-format-ok", { kind: "format", id: "okpeer", entry: "./index.js", apiVersion: API_VERSION }, { peerDependencies: { "@ckpt/core": `^${CORE_VERSION}` } });
  const registry = await Registry.discover({ from: [dir] });
  const refused = registry.refused();
  const future = refused.find((r) => r.packageName === "ckpt-format-future");
  assert.match(future?.reason ?? "", /plugin API 99/);
  const oldpeer = refused.find((r) => r.packageName === "ckpt-format-oldpeer");
  assert.match(oldpeer?.reason ?? "", /needs @ckpt\/core \^9\.0\.0/);
  assert.ok(registry.find("format", "okpeer"));
  assert.equal(registry.find("format", "future"), undefined);
});

test("use() registers plugin objects directly", async () => {
  const registry = new Registry();
  registry.use({ kind: "codec", id: "nul", extensions: [".nul"], magic: [new Uint8Array([9, 9])], levels: { min: 0, max: 0, default: 0 }, compress: () => (x) => x, decompress: () => (x) => x });
  const found = await registry.identify("codec", new Uint8Array([9, 9, 1]), "f");
  assert.equal(found?.descriptor.id, "nul");
  assert.equal((await registry.loadCodec("nul")).id, "nul");
});

test("files of known first-party formats that are not installed get a hint", () => {
  const registry = new Registry();
  const hint = registry.missingPluginFor("format", new TextEncoder().encode("THAL\0\0"), "x.bin");
  assert.equal(hint?.packageName, "@ckpt/format-thalia");
});
