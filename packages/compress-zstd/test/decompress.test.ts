/**
 * Frame structure and damage, for both decoders: libzstd (native) and fzstd (fallback)
 * must accept the same streams and refuse the same damage, with a one-line CkptError.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CkptError, type ByteTransform } from "@ckpt/core";
import plugin from "../src/index.js";
import { fallbackDecompress } from "../src/fallback.js";
import { loadBinding } from "../src/native-binding.js";
import { chunked, collect, compressible, incompressible } from "./helpers/data.js";
import { blockHeader, frame, le, skippable } from "./helpers/frames.js";

const compress = (data: Uint8Array, options: { level?: number; contentSize?: number } = {}) =>
  collect(plugin.compress(options)(chunked(data)));

const DECODERS: Record<string, () => ByteTransform> = {
  native: () => plugin.decompress(),
  fallback: () => fallbackDecompress(),
};

async function rejects(decode: () => ByteTransform, input: Uint8Array, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(collect(decode()(chunked(input))), (error: unknown) => {
    assert.ok(error instanceof CkptError, `not a CkptError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, /^zstd: /);
    assert.ok(!error.message.includes("\n"), "one line");
    assert.match(error.message, pattern);
    return true;
  });
}

test("the native binding loads in Node", async () => {
  const { binding, error } = await loadBinding();
  assert.ok(binding, String(error));
});

const text = Buffer.from("checkpoint ".repeat(5000));
const data = Buffer.concat([compressible(3 << 20), incompressible(1 << 20)]);

for (const [name, decode] of Object.entries(DECODERS)) {
  describe(`${name} decoder`, () => {
    const roundTrip = async (input: Uint8Array) => collect(decode()(chunked(input)));

    test("round-trips one frame, delivered in awkward chunk sizes", async () => {
      const z = await compress(data, { contentSize: data.length });
      assert.ok((await roundTrip(z)).equals(data));
      const small = data.subarray(0, 300_000);
      const zs = await compress(small);
      assert.ok((await collect(decode()(chunked(zs, [1, 2, 3, 5, 8, 13])))).equals(small));
    });

    test("decodes an empty frame and frames without a content size", async () => {
      assert.equal((await roundTrip(await compress(new Uint8Array(0)))).length, 0);
      assert.ok((await roundTrip(await compress(text))).equals(text));
    });

    test("decodes concatenated frames and skips skippable frames anywhere", async () => {
      const a = await compress(text, { level: 1, contentSize: text.length });
      const b = await compress(data, { level: 3 });
      const input = Buffer.concat([skippable(Buffer.from("meta"), 0), a, skippable(new Uint8Array(0)), b, skippable(Buffer.alloc(70_000), 15)]);
      assert.ok((await roundTrip(input)).equals(Buffer.concat([text, data])));
      assert.equal((await roundTrip(skippable(Buffer.from("only")))).length, 0);
    });

    test("decodes hand-built frames: raw blocks, single segment, with and without checksum", async () => {
      const blocks = [Buffer.from("hello "), Buffer.from("world")];
      const plain = frame({ descriptor: 0x00, windowDescriptor: 0, blocks });
      const checked = frame({ descriptor: 0x24, contentSize: [11], blocks, checksum: true });
      const twoByteSize = frame({ descriptor: 0x40, windowDescriptor: 0x08, contentSize: le(300 - 256, 2), blocks: [Buffer.alloc(300, 1)] });
      assert.equal((await roundTrip(Buffer.concat([plain, checked]))).toString(), "hello worldhello world");
      assert.equal((await roundTrip(twoByteSize)).length, 300);
    });

    test("refuses empty input and data that is not zstd", async () => {
      await rejects(decode, new Uint8Array(0), "CORRUPT", /empty input/);
      await rejects(decode, Buffer.from("PK\x03\x04 not zstd"), "CORRUPT", /not zstd data \(starts with 50 4b 03 04/);
      await rejects(decode, Buffer.from([0x01]), "CORRUPT", /not zstd data/);
    });

    test("refuses trailing data after the last frame", async () => {
      const z = await compress(text);
      await rejects(decode, Buffer.concat([z, Buffer.from("garbage!")]), "CORRUPT", new RegExp(`after the last frame, at byte ${z.length}`));
      await rejects(decode, Buffer.concat([z, Buffer.from([0, 0])]), "CORRUPT", /after the last frame/);
      await rejects(decode, Buffer.concat([z, Buffer.from([0x28, 0xb5])]), "CORRUPT", /truncated input: the frame header at byte/);
    });

    test("refuses input truncated anywhere", async () => {
      const z = await compress(data, { contentSize: data.length });
      for (const cut of [3, 5, 8, 20, z.length >> 1, z.length - 5, z.length - 1]) {
        await rejects(decode, z.subarray(0, cut), "CORRUPT", /truncated input/);
      }
      await rejects(decode, skippable(Buffer.alloc(100)).subarray(0, 50), "CORRUPT", /truncated input: the skippable frame/);
    });

    test("detects a flipped byte in a checksummed frame, even in a raw (stored) block", async () => {
      const raw = incompressible(1 << 20, 5);
      const z = await compress(raw, { contentSize: raw.length });
      for (const at of [z.length >> 1, z.length - 2]) {
        const damaged = Buffer.from(z);
        damaged[at] = (damaged[at] as number) ^ 0x10;
        await rejects(decode, damaged, "CORRUPT", /content checksum mismatch in the frame at byte 0/);
      }
      const squeezed = await compress(text);
      const damaged = Buffer.from(squeezed);
      damaged[squeezed.length >> 1] = (damaged[squeezed.length >> 1] as number) ^ 0x55;
      await rejects(decode, damaged, "CORRUPT", /./);
    });

    test("refuses a header claiming 2^60 bytes without allocating for it", async () => {
      const blocks = [Buffer.from("a")];
      const before = process.memoryUsage().rss;
      // Single segment: the window is the content size, 2^60 bytes.
      await rejects(decode, frame({ descriptor: 0xe0, contentSize: le(2n ** 60n, 8), blocks }), "CORRUPT", /claims a 1 EiB window/);
      // A small window but a content size of 2^60: caught when the frame ends short.
      await rejects(decode, frame({ descriptor: 0xc0, windowDescriptor: 0, contentSize: le(2n ** 60n, 8), blocks }), "CORRUPT", /./);
      assert.ok(process.memoryUsage().rss - before < 256 << 20);
    });

    test("refuses a window over the 128 MiB decoder limit", async () => {
      const z = frame({ descriptor: 0x00, windowDescriptor: (28 - 10) << 3, blocks: [Buffer.from("x")] });
      await rejects(decode, z, "LIMIT", /needs a 256 MiB window, over the 128 MiB limit/);
    });

    test("refuses frames that need a dictionary", async () => {
      const z = frame({ descriptor: 0x01, windowDescriptor: 0, dictionaryId: [7], blocks: [Buffer.from("x")] });
      await rejects(decode, z, "UNSUPPORTED", /needs dictionary 7/);
    });

    test("refuses malformed frames: reserved bit, reserved block type, oversized block, wrong content size", async () => {
      const x = [Buffer.from("xyz")];
      await rejects(decode, frame({ descriptor: 0x08, windowDescriptor: 0, blocks: x }), "CORRUPT", /reserved bit/);
      const reservedBlock = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, ...blockHeader(1, 3, true), 0]);
      await rejects(decode, reservedBlock, "CORRUPT", /./);
      const oversized = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, 2, ...blockHeader(3, 0, true), 1, 2, 3]);
      await rejects(decode, oversized, "CORRUPT", /./);
      await rejects(decode, frame({ descriptor: 0x20, contentSize: [5], blocks: x }), "CORRUPT", /./);
    });
  });
}

test("decompression is pull-based: early exit stops reading and closes the source", async () => {
  const z = await compress(Buffer.alloc(64 << 20), { level: 1 });
  for (const decode of Object.values(DECODERS)) {
    let pulled = 0;
    let closed = false;
    async function* source() {
      try {
        for (let at = 0; at < z.length; at += 1024) {
          pulled++;
          yield z.subarray(at, at + 1024);
        }
      } finally {
        closed = true;
      }
    }
    for await (const chunk of decode()(source())) {
      assert.ok(chunk.length > 0);
      break;
    }
    assert.ok(closed, "source closed");
    assert.ok(pulled * 1024 < z.length, "not read to the end");
  }
});

test("a highly compressed frame decompresses in bounded chunks (1 GiB of zeros)", async () => {
  const zeros = new Uint8Array(1 << 20);
  const z = await collect(plugin.compress({ level: 1, contentSize: 1 << 30 })((async function* () {
    for (let i = 0; i < 1024; i++) yield zeros;
  })()));
  assert.ok(z.length < 1 << 20);
  let total = 0;
  let largest = 0;
  for await (const chunk of plugin.decompress()(chunked(z))) {
    total += chunk.length;
    largest = Math.max(largest, chunk.length);
  }
  assert.equal(total, 1 << 30);
  assert.ok(largest <= 1 << 20, `largest chunk ${largest}`);
});
