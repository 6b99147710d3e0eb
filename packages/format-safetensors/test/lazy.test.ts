import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Tensor} from "@ckpt/core";
import { FileRangeSource, describe, walkTensors } from "@ckpt/core";
import { renderHeader } from "../src/header/render.js";
import { registry, tempDir, withDecoded } from "./helpers.js";

test("a 20 GiB file (sparse) opens at once: ckpt info reads only the header, tensors are file ranges", async () => {
  const GIB = 2 ** 30;
  const header = renderHeader(undefined, [
    { name: "big", dtype: "U8", shape: [20 * GIB - 4], begin: 0, end: 20 * GIB - 4 },
    { name: "tail", dtype: "F32", shape: [1], begin: 20 * GIB - 4, end: 20 * GIB },
  ]);
  const path = join(tempDir(), "huge.safetensors");
  const fd = openSync(path, "w");
  writeSync(fd, header);
  ftruncateSync(fd, header.byteLength + 20 * GIB);
  writeSync(fd, new Uint8Array(new Float32Array([1.5]).buffer), 0, 4, header.byteLength + 20 * GIB - 4);
  closeSync(fd);

  const started = performance.now();
  const info = await describe(path, { registry: registry() });
  assert.ok(performance.now() - started < 1000);
  assert.equal(info.tensorBytes, 20 * GIB);
  await withDecoded(path, async (c) => {
    const tensors = [...walkTensors(c.root)].map(({ tensor }) => tensor);
    assert.ok(tensors.every((t) => t.source instanceof FileRangeSource));
    const tail = c.root.get("tail") as Tensor;
    assert.equal(new Float32Array((await tail.source.read()).slice().buffer)[0], 1.5);
  });
});
