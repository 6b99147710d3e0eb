/**
 * Opening a 4 GiB safetensors file reads only its header. The file is sparse (header
 * written, then ftruncate to full size), so nothing of 4 GiB is written or read. Times
 * `ckpt info`'s path (withCheckpoint + listing tensors, no hashing) and reports the
 * RSS and heap growth. Run: pnpm bench (or pnpm --filter @ckpt/format-safetensors bench).
 */
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry, describe, walkTensors, withCheckpoint } from "@ckpt/core";
import safetensors from "../src/index.js";
import { renderHeader } from "../src/header/render.js";

const GIB = 2 ** 30;
const TENSORS = 64; // 64 × 64 MiB of F32 = 4 GiB
const PER_TENSOR = (4 * GIB) / TENSORS;

const entries = Array.from({ length: TENSORS }, (_, i) => ({
  name: `regions.region_${String(i).padStart(2, "0")}.synaptic_weights.input`,
  dtype: "F32",
  shape: [PER_TENSOR / 4 / 4096, 4096],
  begin: i * PER_TENSOR,
  end: (i + 1) * PER_TENSOR,
}));
const header = renderHeader(new Map([["format", "pt"]]), entries);

const dir = mkdtempSync(join(tmpdir(), "ckpt-bench-safetensors-"));
const path = join(dir, "big.safetensors");
try {
  const fd = openSync(path, "w");
  writeSync(fd, header);
  ftruncateSync(fd, header.byteLength + 4 * GIB);
  closeSync(fd);
  const { size, blocks } = statSync(path);

  const registry = new Registry().use(safetensors);
  // Warm up module loading so the figures are about the file.
  await withCheckpoint(path, { registry }, async () => undefined);
  global.gc?.();
  const before = process.memoryUsage();
  const runs = 20;
  let tensors = 0;
  let bytes = 0;
  const started = performance.now();
  for (let i = 0; i < runs; i++) {
    await withCheckpoint(path, { registry }, async (opened) => {
      tensors = 0;
      bytes = 0;
      for (const { tensor } of walkTensors(opened.checkpoint.root)) {
        tensors++;
        bytes += tensor.byteLength;
      }
    });
  }
  const openMs = (performance.now() - started) / runs;
  const infoStarted = performance.now();
  const info = await describe(path, { registry });
  const infoMs = performance.now() - infoStarted;
  const after = process.memoryUsage();

  const mib = (n: number) => (n / 2 ** 20).toFixed(1);
  console.log(`file: ${mib(size)} MiB apparent, ${mib(blocks * 512)} MiB on disk (sparse), header ${header.byteLength - 8} bytes`);
  console.log(`open + list ${tensors} tensors (${mib(bytes)} MiB): ${openMs.toFixed(2)} ms per open (mean of ${runs})`);
  console.log(`describe (ckpt info): ${infoMs.toFixed(2)} ms, ${info.tensorCount} tensors, ${mib(info.tensorBytes)} MiB`);
  console.log(`memory growth over ${runs + 1} opens: RSS ${mib(after.rss - before.rss)} MiB, heap ${mib(after.heapUsed - before.heapUsed)} MiB (RSS now ${mib(after.rss)} MiB)`);
  if (openMs > 1000 || after.rss - before.rss > 256 * 2 ** 20) {
    console.error("FAIL: opening must take well under a second with flat memory");
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
