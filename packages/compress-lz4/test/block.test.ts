import { CkptError } from "@ckpt/core";
import assert from "node:assert/strict";
import { test } from "node:test";
import { FastCompressor } from "../src/block-compress.js";
import { HcCompressor, hcSettings } from "../src/block-compress-hc.js";
import { decompressBlock } from "../src/block-decompress.js";
import { compressBound } from "../src/frame-format.js";
import { checkpointLikeData, randomData, rng } from "./helpers/checkpoint-data.js";

type Compressor = { compress(src: Uint8Array, dst: Uint8Array, dstStart: number, dstEnd: number): number };

const compressors: Array<[string, () => Compressor]> = [
  ["fast", () => new FastCompressor()],
  ...[3, 5, 9, 16].map((level): [string, () => Compressor] => [`level ${level}`, () => new HcCompressor(hcSettings(level))]),
];

function roundTrip(compressor: Compressor, raw: Uint8Array): number {
  const dst = new Uint8Array(compressBound(raw.length) + 8);
  const size = compressor.compress(raw, dst, 8, dst.length);
  assert.ok(size > 0, "fits in the bound");
  // Exact-size input and output: the decoder's 4-byte copies must stay inside both.
  const block = dst.slice(8, 8 + size);
  const out = new Uint8Array(raw.length);
  const end = decompressBlock(block, 0, block.length, out, 0, out.length, 0);
  assert.equal(end, raw.length);
  assert.ok(Buffer.from(out).equals(Buffer.from(raw)), "round trip is exact");
  return size;
}

const samples: Array<[string, Uint8Array]> = [
  ["empty", new Uint8Array()],
  ["1 byte", new Uint8Array([7])],
  ["12 bytes", new Uint8Array(12).fill(1)],
  ["13 zeros", new Uint8Array(13)],
  ["20 bytes", new TextEncoder().encode("abcdabcdabcdabcdabcd")],
  ["64 KiB zeros", new Uint8Array(65536)],
  ["periodic", new Uint8Array(200_000).map((_, i) => (i % 7) * 31)],
  ["random", randomData(300_000, 5)],
  ["checkpoint-like", checkpointLikeData(1 << 20, 6)],
  ["long literal runs", new Uint8Array([...randomData(5000, 7), ...new Uint8Array(70_000), ...randomData(300, 8)])],
];

for (const [name, make] of compressors) {
  test(`block round trip: ${name} compressor`, () => {
    const compressor = make();
    for (const [sample, raw] of samples) {
      try {
        roundTrip(compressor, raw);
      } catch (error) {
        throw new Error(`${sample}: ${(error as Error).message}`, { cause: error });
      }
    }
  });
}

test("blocks follow the end-of-block rules: the last 5 bytes are literals", () => {
  // Decoding into a buffer of exactly the raw size, with the last 5 output bytes checked as literals.
  const raw = new Uint8Array(100_000); // zeros: one huge match, then the mandatory literals
  for (const [, make] of compressors) {
    const dst = new Uint8Array(compressBound(raw.length));
    const size = make().compress(raw, dst, 0, dst.length);
    // The last sequence is literals only, at least 5 of them.
    const tail = lastSequenceLiterals(dst.subarray(0, size));
    assert.ok(tail >= 5, `${tail} trailing literals`);
  }
});

test("a compressor reports -1 when the block would not fit the room given", () => {
  const raw = randomData(10_000, 3);
  for (const [, make] of compressors) {
    const dst = new Uint8Array(raw.length);
    assert.equal(make().compress(raw, dst, 0, raw.length - 1), -1);
  }
});

test("compressors find matches: zeros and checkpoint-like data shrink", () => {
  for (const [name, make] of compressors) {
    const zeros = new Uint8Array(1 << 20);
    const dst = new Uint8Array(compressBound(zeros.length));
    assert.ok(make().compress(zeros, dst, 0, dst.length) < 5000, name);
    const ck = checkpointLikeData(1 << 20, 4);
    assert.ok(make().compress(ck, new Uint8Array(compressBound(ck.length)), 0, compressBound(ck.length)) < ck.length * 0.9, name);
  }
});

test("higher levels do not compress worse than the fast one on checkpoint-like data", () => {
  const ck = checkpointLikeData(2 << 20, 11);
  const sizeOf = (c: Compressor) => c.compress(ck, new Uint8Array(compressBound(ck.length)), 0, compressBound(ck.length));
  const fast = sizeOf(new FastCompressor());
  const l9 = sizeOf(new HcCompressor(hcSettings(9)));
  assert.ok(l9 < fast, `level 9 ${l9} < fast ${fast}`);
});

function decodeBad(block: number[], room = 100, history = 0): CkptError {
  const dst = new Uint8Array(history + room);
  try {
    decompressBlock(new Uint8Array(block), 0, block.length, dst, history, history + room, 0);
  } catch (error) {
    assert.ok(error instanceof CkptError && error.code === "CORRUPT", String(error));
    assert.match(error.message, /^lz4: /);
    return error;
  }
  assert.fail(`block ${JSON.stringify(block)} decoded`);
}

test("hostile blocks throw CORRUPT instead of reading or writing out of bounds", () => {
  assert.match(decodeBad([0x00, 0x00, 0x00]).message, /offset/); // offset 0
  assert.match(decodeBad([0x10, 0x41, 0x02, 0x00]).message, /offset/); // offset 2 with 1 byte of history
  assert.match(decodeBad([0x00, 0x01, 0x00], 100, 0).message, /offset/); // match before any output
  assert.match(decodeBad([0x50, 1, 2]).message, /literal run/); // 5 literals, 2 present
  assert.match(decodeBad([0xf0]).message, /literal length/); // extension byte missing
  assert.match(decodeBad([0xf0, 255, 255]).message, /literal length/);
  assert.match(decodeBad([0x10, 0x41, 0x01]).message, /match offset/); // half an offset
  assert.match(decodeBad([0x1f, 0x41, 0x01, 0x00]).message, /match length/); // extension missing
  assert.match(decodeBad([0x1f, 0x41, 0x01, 0x00, 255, 255, 255, 10], 100).message, /block maximum size/); // match overflows the output
  assert.match(decodeBad([0x30, 1, 2, 3], 2).message, /block maximum size/); // literals overflow the output
  // History counts: with 10 bytes before the output position, offset 10 is fine and 11 is not.
  const dst = new Uint8Array(30).fill(9, 0, 10);
  assert.equal(decompressBlock(new Uint8Array([0x00, 10, 0x00, 0x00]), 0, 4, dst, 10, 30, 0), 14);
  assert.match(decodeBad([0x00, 11, 0x00, 0x00], 20, 10).message, /offset/);
});

test("a block of length-extension bytes ends quickly", () => {
  const block = new Uint8Array(4 << 20).fill(255);
  block[0] = 0xf0;
  const started = performance.now();
  assert.throws(() => decompressBlock(block, 0, block.length, new Uint8Array(1 << 16), 0, 1 << 16, 0), CkptError);
  assert.ok(performance.now() - started < 2000);
});

test("random garbage never escapes the output bounds or throws anything but CORRUPT", () => {
  const next = rng(77);
  const dst = new Uint8Array(4096 + 1024);
  for (let i = 0; i < 3000; i++) {
    const block = randomData(1 + (next() % 200), next());
    if (i % 3 === 0) block[0] = next() & 0x0f; // short literal runs, so matches get parsed
    const history = next() % 64;
    try {
      const end = decompressBlock(block, 0, block.length, dst, 4096 + history - 64, 4096 + 1024 - 64, 4096 - 64);
      assert.ok(end <= 4096 + 1024 - 64);
    } catch (error) {
      assert.ok(error instanceof CkptError && error.code === "CORRUPT", String(error));
    }
  }
});

/** How many literals the last sequence of a block carries. */
function lastSequenceLiterals(block: Uint8Array): number {
  let sp = 0;
  let last = -1;
  while (sp < block.length) {
    const token = block[sp++]!;
    let literals = token >> 4;
    if (literals === 15) {
      let b: number;
      do literals += b = block[sp++]!;
      while (b === 255);
    }
    sp += literals;
    if (sp >= block.length) {
      last = literals;
      break;
    }
    sp += 2;
    if ((token & 15) === 15) while (block[sp++] === 255);
  }
  return last;
}
