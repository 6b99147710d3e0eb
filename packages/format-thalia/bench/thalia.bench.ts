/**
 * Thalia encode/decode throughput on 256 MiB of tensor data (64 tensors of 4 MiB:
 * dense f32 weights, and a few mostly-zero ones that take the sparse path).
 * Encode: plan + stream to a file with its SHA-256 trailer. Decode: open (trailer
 * verified) and stream every tensor's bytes. Run: pnpm bench (or pnpm --filter @ckpt/format-thalia bench).
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RandomAccessFile, Tensor, TempScope, walkTensors, silentReporter, type Node } from "@ckpt/core";
import thalia from "../src/index.js";

const TENSORS = 64;
const ELEMENTS = 1 << 20;
const MIB = 1 << 20;

function makeState(): Map<string, Node> {
  let seed = 1;
  const regions = new Map<string, Node>();
  for (let r = 0; r < TENSORS; r++) {
    const values = new Float32Array(ELEMENTS);
    const sparse = r % 8 === 7;
    for (let i = 0; i < ELEMENTS; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      values[i] = sparse && seed % 20 !== 0 ? 0 : (seed / 2 ** 32 - 0.5) * 0.2;
    }
    regions.set(`region_${r}`, new Map([["synaptic_weights", new Map([["input", Tensor.fromBytes("f32", [1024, 1024], new Uint8Array(values.buffer))]])]]));
  }
  return new Map<string, Node>([["metadata", new Map()], ["regions", regions], ["pathways", new Map()]]);
}

async function timeIt(run: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}

const dir = mkdtempSync(join(tmpdir(), "ckpt-bench-thalia-"));
const path = join(dir, "bench.thalia");
const root = makeState();
const dataBytes = TENSORS * ELEMENTS * 4;

const encodeSeconds = await timeIt(async () => {
  const out = createWriteStream(path);
  for await (const chunk of thalia.encode({ root }, { name: path, options: {}, reporter: silentReporter })) {
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
});

const scope = new TempScope();
const decodeSeconds = await timeIt(async () => {
  const file = scope.adopt(await RandomAccessFile.open(path));
  const checkpoint = await thalia.decode({ file, name: path, options: {}, reporter: silentReporter, spill: (c) => scope.spill(c), openOther: () => Promise.reject(new Error("not used")) });
  for (const { tensor } of walkTensors(checkpoint.root)) for await (const chunk of tensor.source.chunks()) void chunk;
});
await scope.close();

const fileBytes = statSync(path).size;
console.log(`thalia, ${dataBytes / MIB} MiB of tensors (${(fileBytes / MIB).toFixed(0)} MiB file)`);
console.log(`| step   | seconds | MB/s of tensor data |`);
console.log(`|--------|---------|---------------------|`);
console.log(`| encode | ${encodeSeconds.toFixed(2).padStart(7)} | ${(dataBytes / 1e6 / encodeSeconds).toFixed(0).padStart(19)} |`);
console.log(`| decode | ${decodeSeconds.toFixed(2).padStart(7)} | ${(dataBytes / 1e6 / decodeSeconds).toFixed(0).padStart(19)} |`);
rmSync(dir, { recursive: true, force: true });
