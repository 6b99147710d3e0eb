/**
 * Throughput of our LZ4 codec against the lz4 CLI on the same checkpoint-like data.
 *
 *   pnpm --filter @ckpt/compress-lz4 bench                 # 256 MiB, level 0 vs lz4 -1
 *   node --import tsx bench/lz4.bench.ts --mib=512 --levels=0,3,9
 *
 * MB/s is uncompressed bytes (10^6) per second, in both directions; each figure is the best
 * of three runs. Ours streams from and to memory in 4 MiB chunks; the CLI reads a file from
 * the page cache and writes to /dev/null, process start included. A last row quotes lz4's
 * own in-memory benchmark (`lz4 -b1`), the C library's speed with no I/O at all.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import plugin from "../src/index.js";
import { checkpointLikeData } from "../test/helpers/checkpoint-data.js";

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=") as [string, string]));
const mib = Number(args.get("mib") ?? 256);
const levels = (args.get("levels") ?? "0").split(",").map(Number);
const RUNS = 3;
const CHUNK = 4 << 20;

const data = checkpointLikeData(mib << 20, 2024);
const dir = mkdtempSync(join(tmpdir(), "ckpt-lz4-bench-"));
const dataPath = join(dir, "data.bin");
writeFileSync(dataPath, data);

async function* chunks(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += CHUNK) yield bytes.subarray(at, at + CHUNK);
}

async function time(work: () => Promise<void> | void): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await work();
    best = Math.min(best, performance.now() - started);
  }
  return best / 1000;
}

const rate = (seconds: number) => (data.length / 1e6 / seconds).toFixed(0);
const rows: string[][] = [];

function cli(argv: string[]): boolean {
  return spawnSync("lz4", argv, { stdio: ["ignore", "ignore", "inherit"] }).status === 0;
}
const haveCli = cli(["--version"]);

try {
  for (const level of levels) {
    let frame = Buffer.alloc(0);
    const compressSeconds = await time(async () => {
      const parts: Uint8Array[] = [];
      for await (const part of plugin.compress({ level, contentSize: data.length })(chunks(data))) parts.push(part);
      frame = Buffer.concat(parts);
    });
    const decompressSeconds = await time(async () => {
      let n = 0;
      for await (const part of plugin.decompress()(chunks(frame))) n += part.length;
      if (n !== data.length) throw new Error("round trip lost bytes");
    });
    rows.push([`ckpt (TypeScript) level ${level}`, (frame.length / data.length).toFixed(3), rate(compressSeconds), rate(decompressSeconds)]);

    if (haveCli && level <= 12) {
      const cliLevel = Math.max(1, level);
      const framePath = join(dir, `cli-${cliLevel}.lz4`);
      cli(["-q", "-f", `-${cliLevel}`, dataPath, framePath]);
      const cliCompress = await time(() => void cli(["-q", "-c", `-${cliLevel}`, dataPath]));
      const cliDecompress = await time(() => void cli(["-q", "-d", "-c", framePath]));
      const cliFrame = readFileSync(framePath);
      rows.push([`lz4 CLI -${cliLevel} / -d`, (cliFrame.length / data.length).toFixed(3), rate(cliCompress), rate(cliDecompress)]);
      const crossSeconds = await time(async () => {
        for await (const part of plugin.decompress()(chunks(cliFrame))) void part;
      });
      rows.push([`ckpt decompressing the CLI's -${cliLevel} frame`, "", "", rate(crossSeconds)]);
      // lz4's own in-memory benchmark: the C library without process start or I/O.
      const bench = spawnSync("lz4", [`-b${cliLevel}`, "-i3", dataPath], { encoding: "utf8" });
      const figures = /\(([\d.]+)\),\s*([\d.]+) MB\/s\s*,\s*([\d.]+) MB\/s/.exec(bench.stderr.split("\r").reverse().join("\n"));
      if (figures) rows.push([`lz4 -b${cliLevel} (C library, in memory)`, (1 / Number(figures[1])).toFixed(3), figures[2]!, figures[3]!]);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\n${mib} MiB of checkpoint-like float32 data (dense, pruned, bf16-rounded, constant-filled, spike counts); best of ${RUNS}`);
if (!haveCli) console.log("(the lz4 CLI is not installed: no reference figures)");
const header = ["", "ratio", "compress MB/s", "decompress MB/s"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
console.log(line(header));
console.log(`|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
for (const row of rows) console.log(line(row));
