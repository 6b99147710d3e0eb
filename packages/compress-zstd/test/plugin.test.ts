import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { CkptError, type CodecPlugin } from "@ckpt/core";
import plugin from "../src/index.js";
import { loadBinding } from "../src/native-binding.js";
import { chunked, collect, compressible, incompressible } from "./helpers/data.js";
import { headerOf } from "./helpers/frames.js";

test("the plugin is a plain codec object matching package.json's manifest", () => {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).ckpt;
  const codec: CodecPlugin = plugin;
  assert.equal(codec.kind, "codec");
  assert.equal(codec.id, manifest.id);
  assert.deepEqual([...codec.extensions], manifest.extensions);
  assert.deepEqual(codec.magic.map((m) => Buffer.from(m).toString("hex")), manifest.magic.map((m: { hex: string }) => m.hex));
  assert.deepEqual(codec.levels, { min: 1, max: 22, default: 3 });
});

test("levels outside 1–22 and bad content sizes are usage errors, raised at once", () => {
  for (const level of [0, -1, 23, 2.5, Number.NaN]) {
    assert.throws(() => plugin.compress({ level }), (e: unknown) => e instanceof CkptError && e.code === "USAGE" && /level must be an integer from 1 to 22/.test(e.message));
  }
  for (const contentSize of [-1, 1.5, Number.POSITIVE_INFINITY]) {
    assert.throws(() => plugin.compress({ contentSize }), (e: unknown) => e instanceof CkptError && e.code === "USAGE");
  }
});

test("writes one frame with a content checksum; the content size only when pledged", async () => {
  const { binding } = await loadBinding();
  assert.ok(binding);
  const data = compressible(512 << 10);
  for (const level of [1, 3, 22]) {
    const pledged = await collect(plugin.compress({ level, contentSize: data.length })(chunked(data)));
    assert.deepEqual(headerOf(pledged), { contentSize: data.length, checksum: true });
    assert.equal(binding.findFrameCompressedSize(pledged), pledged.length, "exactly one frame");
    const streamed = await collect(plugin.compress({ level })(chunked(data)));
    assert.deepEqual(headerOf(streamed), { contentSize: undefined, checksum: true });
    assert.equal(binding.findFrameCompressedSize(streamed), streamed.length, "exactly one frame");
    assert.ok((await collect(plugin.decompress()(chunked(pledged)))).equals(data));
  }
  const empty = await collect(plugin.compress({ contentSize: 0 })(chunked(new Uint8Array(0))));
  assert.deepEqual(headerOf(empty), { contentSize: 0, checksum: true });
});

test("the default level is 3", async () => {
  const data = compressible(1 << 20);
  const byDefault = await collect(plugin.compress()(chunked(data)));
  const three = await collect(plugin.compress({ level: 3 })(chunked(data)));
  assert.ok(byDefault.equals(three));
});

test("input that breaks the contentSize pledge fails clearly, either way", async () => {
  const data = Buffer.alloc(1000, 7);
  const run = (contentSize: number) => collect(plugin.compress({ contentSize })(chunked(data, [300])));
  const check = (pattern: RegExp) => (e: unknown) => e instanceof CkptError && e.code === "INTERNAL" && pattern.test(e.message);
  await assert.rejects(run(999), check(/^zstd: the input was more than 999 bytes, but contentSize promised 999$/));
  await assert.rejects(run(1001), check(/^zstd: the input was 1000 bytes, but contentSize promised 1001$/));
  await assert.rejects(collect(plugin.compress({ contentSize: 5 })(chunked(new Uint8Array(0)))), check(/was 0 bytes/));
});

test("compression streams: output arrives before the input ends, in bounded chunks", async () => {
  const block = incompressible(1 << 20, 3);
  let pulled = 0;
  async function* source() {
    for (; pulled < 64; pulled++) yield block;
  }
  let firstOutputAt = -1;
  let largest = 0;
  for await (const chunk of plugin.compress({ level: 1 })(source())) {
    if (firstOutputAt < 0) firstOutputAt = pulled;
    largest = Math.max(largest, chunk.length);
  }
  assert.ok(firstOutputAt >= 0 && firstOutputAt < 64, `first output after ${firstOutputAt} MiB of input`);
  assert.ok(largest <= 1 << 20);
});
