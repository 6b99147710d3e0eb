import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BUILTIN_POLICIES, dumpPythonJson, Registry, Tensor, convert, readManifest, renderManifest, validate, manifestTree,
  type CkptError, type FormatPlugin, type MigrationPlugin, type PyMap,
} from "../src/index.js";
import { toyFormat } from "./helpers/toy-format.js";
import { sampleTree } from "./helpers/sample-tree.js";

function workspace(): string {
  return mkdtempSync(join(tmpdir(), "ckpt-pipeline-"));
}

async function writeToy(path: string, root: PyMap): Promise<void> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of toyFormat.encode({ root }, { name: path, options: {}, reporter: { progress() {}, warn() {}, lossy() {} } })) chunks.push(chunk);
  writeFileSync(path, Buffer.concat(chunks));
}

const registry = () => new Registry().use(toyFormat);

test("convert keeps every node kind (manifest equal) and never touches the source", async () => {
  const dir = workspace();
  const src = join(dir, "a.toy");
  const dst = join(dir, "b.toy");
  await writeToy(src, sampleTree());
  const before = readFileSync(src);
  const report = await convert(src, dst, { registry: registry() });
  assert.deepEqual(report.steps, ["decode toy", "encode toy"]);
  assert.equal(report.destination.bytes, readFileSync(dst).byteLength);
  const a = renderManifest(await readManifest(src, { registry: registry() }));
  const b = renderManifest(await readManifest(dst, { registry: registry() }));
  assert.equal(a, b);
  assert.equal(a, renderManifest({ format: "toy", codec: null, tree: await manifestTree(sampleTree()) }));
  assert.deepEqual(readFileSync(src), before);
});

test("a failing encode leaves neither the destination nor a temp file", async () => {
  const dir = workspace();
  const src = join(dir, "a.toy");
  await writeToy(src, sampleTree());
  const broken: FormatPlugin = {
    ...toyFormat,
    id: "broken",
    extensions: [".broken"],
    async *encode() {
      yield new Uint8Array(1024);
      throw new Error("disk on fire");
    },
  };
  const dst = join(dir, "out.broken");
  await assert.rejects(convert(src, dst, { registry: registry().use(broken) }), (error: CkptError) => {
    assert.match(error.message, /out\.broken: disk on fire/);
    return true;
  });
  assert.deepEqual(readdirSync(dir), ["a.toy"]);
});

test("a destination in a folder that does not exist is one NOT_FOUND line naming the folder", async () => {
  const dir = workspace();
  const src = join(dir, "a.toy");
  await writeToy(src, sampleTree());
  const dst = join(dir, "missing", "b.toy");
  await assert.rejects(convert(src, dst, { registry: registry() }), (error: CkptError) => {
    assert.equal(error.code, "NOT_FOUND");
    assert.equal(error.message, `${dst}: cannot write here: the folder ${join(dir, "missing")} does not exist`);
    return true;
  });
  assert.deepEqual(readdirSync(dir), ["a.toy"]);
});

test("refuses dst == src and overwriting without force", async () => {
  const dir = workspace();
  const src = join(dir, "a.toy");
  await writeToy(src, sampleTree());
  await assert.rejects(convert(src, src, { registry: registry() }), /same file/);
  await assert.rejects(convert(src, join(dir, ".", "a.toy"), { registry: registry() }), /same file/);
  const dst = join(dir, "b.toy");
  writeFileSync(dst, "keep me");
  await assert.rejects(convert(src, dst, { registry: registry() }), (error: CkptError) => error.code === "EXISTS");
  assert.equal(readFileSync(dst, "utf8"), "keep me");
  await convert(src, dst, { registry: registry(), force: true });
  assert.notEqual(readFileSync(dst, "utf8"), "keep me");
});

test("unknown files and missing plugins are one-line errors naming the file", async () => {
  const dir = workspace();
  const src = join(dir, "mystery.dat");
  writeFileSync(src, "hello world, not a checkpoint");
  await assert.rejects(convert(src, join(dir, "x.toy"), { registry: registry() }), (error: CkptError) => {
    assert.equal(error.code, "UNKNOWN_FORMAT");
    assert.ok(error.message.startsWith(src));
    assert.ok(!error.message.includes("\n"));
    return true;
  });
  const st = join(dir, "brain.safetensors");
  writeFileSync(st, Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from("{}")]));
  await assert.rejects(readManifest(st, { registry: registry() }), (error: CkptError) => {
    assert.equal(error.message, `${st} looks like safetensors, but @ckpt/format-safetensors is not installed`);
    return true;
  });
  await assert.rejects(convert(join(dir, "a.toy"), join(dir, "x.toy"), { registry: registry() }), (error: CkptError) => error.code === "NOT_FOUND");
  const result = await validate(src, { registry: registry() });
  assert.equal(result.valid, false);
});

test("the precision stage narrows by policy and reports it as lossy", async () => {
  const dir = workspace();
  const src = join(dir, "a.toy");
  const weights = Tensor.fromBytes("f32", [3], new Uint8Array(new Float32Array([1, 0.1, 70000]).buffer));
  const membrane = Tensor.fromBytes("f32", [1], new Uint8Array(new Float32Array([0.1]).buffer));
  await writeToy(src, new Map([["regions", new Map([["r", new Map<string, Tensor>([["synaptic_weights", weights], ["membrane", membrane]])]])]]));
  const dst = join(dir, "b.toy");
  const report = await convert(src, dst, { registry: registry(), precision: BUILTIN_POLICIES.fp16 });
  assert.deepEqual(report.precision.map((c) => [c.path, c.from, c.to]), [["regions.r.synaptic_weights", "f32", "f16"]]);
  assert.equal(report.lossy.length, 1);
  const manifest = await readManifest(dst, { registry: registry() });
  const tree = manifest.tree as PyMap;
  const w = ((((tree.get("regions") as PyMap).get("r") as PyMap).get("synaptic_weights") as PyMap).get("$tensor") as PyMap);
  assert.equal(w.get("dtype"), "f16");
});

test("migrations are chained by version and recorded in metadata", async () => {
  const dir = workspace();
  const src = join(dir, "a.toy");
  await writeToy(src, new Map([["layout", 1n]]));
  const step = (from: number, to: number) => ({
    family: "demo", from: String(from), to: String(to), description: `${from}→${to}`,
    migrate: (root: PyMap) => new Map([...root, ["layout", BigInt(to)]]),
  });
  const demo: MigrationPlugin = {
    kind: "migration", id: "demo",
    detectors: [{ family: "demo", detect: (root) => (root.has("layout") ? String(root.get("layout")) : null) }],
    steps: [step(1, 2), step(2, 3)],
  };
  const reg = registry().use(demo);
  const dst = join(dir, "b.toy");
  const report = await convert(src, dst, { registry: reg, toSchema: "3" });
  assert.deepEqual(report.steps, ["decode toy", "migrate demo 1→2", "migrate demo 2→3", "encode toy"]);
  const text = dumpPythonJson((await readManifest(dst, { registry: reg })).tree);
  assert.match(text, /"migrations": \[\{"from": "1", "to": "2"\}, \{"from": "2", "to": "3"\}\]/);
  assert.match(text, /"checkpoint_format_version": "3"/);
  await assert.rejects(convert(src, join(dir, "c.toy"), { registry: reg, toSchema: "9" }), /no migration path for demo from version 1 to 9/);
  assert.equal(existsSync(join(dir, "c.toy")), false);
});
