/**
 * Interop with the reference implementations: the lz4 CLI and Python's lz4.frame must read
 * what we write, and we must read what they write, with every frame option they offer.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import plugin from "../src/index.js";
import { checkpointLikeData, randomData, rng } from "./helpers/checkpoint-data.js";
import { need, py, run } from "./helpers/oracles.js";
import { chunked, collect, ragged, rejectsWith } from "./helpers/streams.js";

const dir = mkdtempSync(join(tmpdir(), "ckpt-lz4-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const MiB = 1 << 20;
const compressible = checkpointLikeData(16 * MiB, 21);
const incompressible = randomData(16 * MiB, 22);

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const decompress = (frame: Uint8Array) => collect(plugin.decompress()(ragged(frame)));

// ---- they read what we write ----

interface Written {
  name: string;
  data: Uint8Array;
  frame: Buffer;
  sized: boolean;
}

const cases: Array<[string, Uint8Array, number, boolean]> = [
  ["compressible", compressible, 0, true],
  ["compressible", compressible, 0, false],
  ["compressible", compressible, 2, true],
  ["compressible", compressible, 6, false],
  ["compressible", compressible, 9, true],
  ["incompressible", incompressible, 0, true],
  ["incompressible", incompressible, 0, false],
  ["incompressible", incompressible, 4, true],
  ["empty", new Uint8Array(), 0, true],
];
let written: Written[] | undefined;
async function ourFrames(): Promise<Written[]> {
  written ??= await Promise.all(cases.map(async ([kind, data, level, sized]) => ({
    name: `${kind} ${data.length} B, level ${level}, ${sized ? "with" : "without"} content size`,
    data,
    sized,
    frame: await collect(plugin.compress({ level, ...(sized && { contentSize: data.length }) })(chunked(data, 3 * MiB))),
  })));
  return written;
}

test("lz4 -d reads our frames (16 MiB, several levels, with and without content size)", async (t) => {
  if (!need(t, "lz4")) return;
  for (const [i, w] of (await ourFrames()).entries()) {
    const out = run("lz4", ["-d", "-c", file(`ours-${i}.lz4`, w.frame)]);
    assert.ok(out.equals(w.data), w.name);
  }
});

test("Python's lz4.frame.decompress reads our frames and their content size", async (t) => {
  if (!need(t, "python")) return;
  for (const [i, w] of (await ourFrames()).entries()) {
    const path = file(`ours-py-${i}.lz4`, w.frame);
    const out = py(
      "import sys, lz4.frame\n" +
        "d = open(sys.argv[1], 'rb').read()\n" +
        "info = lz4.frame.get_frame_info(d)\n" +
        "out = lz4.frame.decompress(d)\n" +
        "sys.stdout.buffer.write(b'%d %d %d %d\\n' % (info['content_size'], info['block_size'], info['block_linked'], info['content_checksum']) + out)",
      [path],
    );
    const newline = out.indexOf(10);
    const [contentSize, blockSize, linked, checksum] = out.subarray(0, newline).toString().split(" ").map(Number);
    assert.ok(out.subarray(newline + 1).equals(w.data), w.name);
    assert.equal(contentSize, w.sized ? w.data.length : 0, w.name);
    assert.equal(blockSize, 4 * MiB);
    assert.equal(linked, 0);
    assert.equal(checksum, 1);
  }
});

// ---- we read what they write ----

const source = checkpointLikeData(9 * MiB, 23); // three 4 MiB blocks, the last partial
const sourcePath = file("source.bin", source);
const randomPath = file("random.bin", randomData(5 * MiB, 24));

test("we read lz4 CLI frames: defaults, linked blocks, checksums, every block size, content size, HC", async (t) => {
  if (!need(t, "lz4")) return;
  const variants = [[], ["-BD"], ["-BX"], ["--no-frame-crc"], ["-B4"], ["-B5"], ["-B6"], ["-B7"], ["--content-size"], ["-9"], ["-12", "-BD"], ["-B4", "-BD", "-BX", "--content-size"], ["--favor-decSpeed", "-10"]];
  for (const flags of variants) {
    const frame = run("lz4", ["-q", "-c", ...flags, sourcePath]);
    assert.ok((await decompress(frame)).equals(source), `lz4 ${flags.join(" ")}`);
  }
  // Incompressible input: the CLI stores blocks uncompressed.
  const stored = run("lz4", ["-q", "-c", "-B4", "-BD", randomPath]);
  assert.ok((await decompress(stored)).equals(readFileSync(randomPath)));
});

test("we read concatenated CLI frames (cat a.lz4 b.lz4) and legacy frames (lz4 -l)", async (t) => {
  if (!need(t, "lz4")) return;
  run("lz4", ["-q", "-f", "-BD", sourcePath, join(dir, "a.lz4")]);
  run("lz4", ["-q", "-f", "-BX", "--content-size", randomPath, join(dir, "b.lz4")]);
  // What `cat a.lz4 b.lz4 a.lz4` produces.
  const both = Buffer.concat(["a.lz4", "b.lz4", "a.lz4"].map((name) => readFileSync(join(dir, name))));
  assert.ok((await decompress(both)).equals(Buffer.concat([source, readFileSync(randomPath), source])));
  const legacy = run("lz4", ["-q", "-c", "-l", sourcePath]);
  assert.ok((await decompress(legacy)).equals(source));
});

test("we read Python lz4.frame frames: linked, independent, checksums, no size, block sizes, streaming", async (t) => {
  if (!need(t, "python")) return;
  const variants = [
    "block_linked=True",
    "block_linked=False",
    "content_checksum=True",
    "block_checksum=True",
    "store_size=False",
    "store_size=True, content_checksum=True, block_checksum=True, block_linked=True",
    "block_size=lz4.frame.BLOCKSIZE_MAX64KB, block_linked=True",
    "block_size=lz4.frame.BLOCKSIZE_MAX256KB",
    "block_size=lz4.frame.BLOCKSIZE_MAX1MB, block_checksum=True",
    "block_size=lz4.frame.BLOCKSIZE_MAX4MB, store_size=False",
    "compression_level=9, block_linked=True",
  ];
  for (const options of variants) {
    const frame = py(`import sys, lz4.frame\nsys.stdout.buffer.write(lz4.frame.compress(open(sys.argv[1], 'rb').read(), ${options}))`, [sourcePath]);
    assert.ok((await decompress(frame)).equals(source), options);
  }
  // LZ4FrameCompressor, fed in pieces; with auto_flush every piece becomes its own block(s).
  for (const options of ["block_linked=True", "block_linked=False, content_checksum=True", "block_linked=True, auto_flush=True, block_checksum=True"]) {
    const frame = py(
      "import sys, lz4.frame\n" +
        "data = open(sys.argv[1], 'rb').read()\n" +
        `c = lz4.frame.LZ4FrameCompressor(${options})\n` +
        "parts = [c.begin(len(data))]\n" +
        "for i in range(0, len(data), 100003): parts.append(c.compress(data[i:i + 100003]))\n" +
        "parts.append(c.flush())\n" +
        "sys.stdout.buffer.write(b''.join(parts))",
      [sourcePath],
    );
    assert.ok((await decompress(frame)).equals(source), `LZ4FrameCompressor(${options})`);
  }
});

test("damaged and truncated CLI frames are CORRUPT, quickly", async (t) => {
  if (!need(t, "lz4")) return;
  const small = source.subarray(0, 600_000);
  const frame = run("lz4", ["-q", "-c", "-B4", "-BD", "-BX", "--content-size", file("small.bin", small)]);
  assert.ok((await decompress(frame)).equals(small));
  const next = rng(99);
  const started = performance.now();
  for (let i = 0; i < 40; i++) {
    const cut = next() % frame.length;
    await rejectsWith(decompress(frame.subarray(0, cut)), "CORRUPT");
    const damaged = Buffer.from(frame);
    damaged[next() % frame.length]! ^= 1 << (next() % 8);
    await rejectsWith(decompress(damaged), "CORRUPT");
  }
  assert.ok(performance.now() - started < 10_000);
});
