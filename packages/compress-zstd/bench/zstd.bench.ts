/**
 * Throughput of this codec against the zstd CLI (single-threaded) on the same 256 MiB of
 * checkpoint-like data, files in tmpfs. Both sides read a file and write a file; ours runs
 * as the streaming transform the pipeline uses, with 8 MiB of write-behind so that, like
 * the CLI's asynchronous output, writing overlaps (de)compression. A second decompression
 * row discards the output on both sides (CLI: -o /dev/null; ours: counting bytes).
 * Rounds interleave every measurement (the machine may be shared) and each keeps its best;
 * MB/s = 10^6 bytes of uncompressed data per second.
 *
 *   pnpm --filter @ckpt/compress-zstd bench      (ZSTD_BENCH_MIB=512 for more data)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { ByteTransform } from "@ckpt/core";
import plugin from "../src/index.js";
import { fallbackDecompress } from "../src/fallback.js";
import { checkpointLike } from "./checkpoint-data.js";

const MIB = 1 << 20;
const SIZE = Number(process.env.ZSTD_BENCH_MIB ?? 256) * MIB;
const ROUNDS = 5;
const TARGET = 0.7;

const base = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
const dir = mkdtempSync(join(base, "ckpt-zstd-bench-"));
const file = (name: string) => join(dir, name);

function cliVersion(): string | undefined {
  const run = spawnSync("zstd", ["--version"], { encoding: "utf8" });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

type Run = () => Promise<void> | void;

/** Runs every measurement once per round, in turn, and keeps each one's fastest time (seconds). */
async function fastest<K extends string>(runs: Record<K, Run>): Promise<Record<K, number>> {
  const best = {} as Record<K, number>;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(runs) as [K, Run][]) {
      const start = process.hrtime.bigint();
      await run();
      best[name] = Math.min(best[name] ?? Infinity, Number(process.hrtime.bigint() - start) / 1e9);
    }
  }
  return best;
}

const mbps = (seconds: number) => SIZE / 1e6 / seconds;

function ours(transform: () => ByteTransform, from: string, to?: string): Run {
  const source = () => createReadStream(from, { highWaterMark: MIB });
  if (to) return () => pipeline(source(), transform(), createWriteStream(to, { highWaterMark: 8 * MIB }));
  return async () => {
    let bytes = 0;
    for await (const chunk of transform()(source())) bytes += chunk.length;
    if (bytes !== SIZE) throw new Error(`decoded ${bytes} bytes, expected ${SIZE}`);
  };
}

function cli(args: string[]): () => void {
  return () => {
    execFileSync("zstd", ["-q", "-f", ...args]);
  };
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: MIB })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function main(): Promise<void> {
  const version = cliVersion();
  if (!version) throw new Error("the zstd CLI is needed for the comparison (apt-get install zstd)");
  const raw = file("checkpoint.bin");
  await pipeline(checkpointLike(SIZE), createWriteStream(raw));
  const rawSum = await sha256(raw);

  // Every decompression reads the CLI's frame (written first in each round): both sides decode the same bytes.
  const t = await fastest({
    cliCompress: cli(["-3", "-T1", raw, "-o", file("cli.zst")]),
    ourCompress: ours(() => plugin.compress({ level: 3, contentSize: SIZE }), raw, file("ours.zst")),
    cliDecompress: cli(["-d", file("cli.zst"), "-o", file("cli.out")]),
    ourDecompress: ours(() => plugin.decompress(), file("cli.zst"), file("ours.out")),
    cliDiscard: cli(["-d", file("cli.zst"), "-o", "/dev/null"]),
    ourDiscard: ours(() => plugin.decompress(), file("cli.zst")),
    fzstd: ours(fallbackDecompress, file("cli.zst"), file("fzstd.out")),
  });
  // Our own frames decode to the input too (checked below).
  await ours(() => plugin.decompress(), file("ours.zst"), file("ours2.out"))();

  for (const out of ["cli.out", "ours.out", "fzstd.out", "ours2.out"]) {
    if ((await sha256(file(out))) !== rawSum) throw new Error(`${out} differs from the input`);
  }
  const ratio = (name: string) => (SIZE / statSync(file(name)).size).toFixed(3);

  const rows: [string, number, number][] = [
    ["compress, level 3", mbps(t.ourCompress), mbps(t.cliCompress)],
    ["decompress (native libzstd)", mbps(t.ourDecompress), mbps(t.cliDecompress)],
    ["decompress, output discarded", mbps(t.ourDiscard), mbps(t.cliDiscard)],
    ["decompress (fzstd fallback)", mbps(t.fzstd), mbps(t.cliDecompress)],
  ];
  console.log(`\n${SIZE / MIB} MiB of checkpoint-like data in ${base}; ratio ${ratio("ours.zst")} (ours -3), ${ratio("cli.zst")} (CLI -3)`);
  console.log(`${version}; node ${process.version}; best of ${ROUNDS} rounds; MB/s of uncompressed data\n`);
  console.log("| operation                    | ckpt MB/s | zstd CLI -T1 MB/s | ckpt / CLI |");
  console.log("|------------------------------|----------:|------------------:|-----------:|");
  for (const [name, our, theirs] of rows) {
    const share = `${Math.round((our / theirs) * 100)} %`;
    console.log(`| ${name.padEnd(28)} | ${our.toFixed(0).padStart(9)} | ${theirs.toFixed(0).padStart(17)} | ${share.padStart(10)} |`);
  }
  const compressOk = t.ourCompress <= t.cliCompress / TARGET;
  const decompressOk = t.ourDecompress <= t.cliDecompress / TARGET;
  console.log(`\ntarget ≥ ${TARGET * 100} % of the CLI: compress ${compressOk ? "met" : "MISSED"}, native decompress ${decompressOk ? "met" : "MISSED"}`);
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
