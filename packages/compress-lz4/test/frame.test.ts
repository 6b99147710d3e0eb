import assert from "node:assert/strict";
import { test } from "node:test";
import plugin from "../src/index.js";
import { xxhash32 } from "../src/xxhash32.js";
import { checkpointLikeData, randomData, rng } from "./helpers/checkpoint-data.js";
import { buildFrame, compressedBlock, concat, skippableFrame, u32le } from "./helpers/frames.js";
import { chunked, collect, ragged, rejectsWith } from "./helpers/streams.js";

const compress = (data: Uint8Array, options?: { level?: number; contentSize?: number }) =>
  collect(plugin.compress(options)(chunked(data)));
const decompress = (frame: Uint8Array, feed = chunked) => collect(plugin.decompress()(feed(frame)));

test("the plugin object declares the codec", () => {
  assert.equal(plugin.kind, "codec");
  assert.equal(plugin.id, "lz4");
  assert.deepEqual(plugin.extensions, [".lz4"]);
  assert.deepEqual([...plugin.magic[0]!], [0x04, 0x22, 0x4d, 0x18]);
  assert.deepEqual(plugin.levels, { min: 0, max: 16, default: 0 });
});

test("round trip at every level, fed in ragged chunks", async () => {
  const data = checkpointLikeData(5 << 20, 3); // more than one 4 MiB block
  for (let level = 0; level <= 16; level += level < 4 ? 1 : 4) {
    const frame = await collect(plugin.compress({ level, contentSize: data.length })(ragged(data)));
    const out = await decompress(frame, ragged);
    assert.ok(out.equals(data), `level ${level}`);
  }
});

test("the header: one frame, independent 4 MiB blocks, content checksum, content size when given", async () => {
  const data = checkpointLikeData(1 << 20, 2);
  const withSize = await compress(data, { contentSize: data.length });
  assert.deepEqual([...withSize.subarray(0, 4)], [0x04, 0x22, 0x4d, 0x18]);
  assert.equal(withSize[4], 0x40 | 0x20 | 0x08 | 0x04); // version 01, B.Indep, C.Size, C.Checksum
  assert.equal(withSize[5], 7 << 4); // 4 MiB
  assert.equal(withSize.readBigUInt64LE(6), BigInt(data.length));
  assert.equal(withSize[14], (xxhash32(withSize.subarray(4, 14)) >>> 8) & 0xff);
  assert.equal(withSize.readUInt32LE(withSize.length - 4), xxhash32(data));
  const without = await compress(data);
  assert.equal(without[4], 0x40 | 0x20 | 0x04);
  // Empty content: no content size field (the reference tools read 0 as "unknown").
  const empty = await compress(new Uint8Array(), { contentSize: 0 });
  assert.equal(empty.length, 7 + 4 + 4);
  assert.equal((await decompress(empty)).length, 0);
});

test("incompressible blocks are stored raw, never larger than the input plus framing", async () => {
  const data = randomData(9 << 20, 4);
  const frame = await compress(data);
  assert.ok(frame.length <= data.length + 7 + 3 * 4 + 8);
  assert.ok((frame.readUInt32LE(7) & 0x80000000) !== 0, "first block stored");
  assert.ok((await decompress(frame)).equals(data));
});

test("bad levels and content sizes are USAGE errors; a wrong content size is caught", async () => {
  for (const level of [-1, 17, 1.5, NaN]) {
    await rejectsWith((async () => plugin.compress({ level }))(), "USAGE", /level/);
  }
  await rejectsWith((async () => plugin.compress({ contentSize: -1 }))(), "USAGE");
  const data = new Uint8Array(1000);
  await rejectsWith(compress(data, { contentSize: 999 }), "INTERNAL", /content size/);
  await rejectsWith(compress(data, { contentSize: 1001 }), "INTERNAL", /content size/);
});

test("outputs are distinct buffers a consumer may keep", async () => {
  const data = checkpointLikeData(9 << 20, 8);
  const frameParts: Uint8Array[] = [];
  for await (const part of plugin.compress()(chunked(data, 3 << 20))) frameParts.push(part);
  const frame = Buffer.concat(frameParts);
  const parts: Uint8Array[] = [];
  for await (const part of plugin.decompress()(chunked(frame, 1 << 20))) parts.push(part);
  assert.ok(Buffer.concat(parts).equals(data));
  assert.equal(new Set(parts.map((p) => p.buffer)).size, parts.length);
});

test("stopping early closes the input", async () => {
  let closed = false;
  async function* source() {
    try {
      yield await compress(checkpointLikeData(9 << 20, 1));
    } finally {
      closed = true;
    }
  }
  for await (const part of plugin.decompress()(source())) {
    assert.ok(part.length > 0);
    break;
  }
  assert.ok(closed);
});

// ---- frames our writer never makes ----

const text = (s: string) => new TextEncoder().encode(s);

test("linked blocks: a match reaching into the previous block", async () => {
  const first = text("0123456789abcdef");
  // Block 2: no literals, a 12-byte match 16 back (into block 1), then 1 literal.
  const second = new Uint8Array([0x08, 16, 0, 0x10, 0x5a]);
  const content = concat(first, first.subarray(0, 12), text("Z"));
  const frame = buildFrame({ independent: false, blocks: [{ data: first, stored: true }, { data: second }], content, contentChecksum: true });
  assert.ok((await decompress(frame, ragged)).equals(content));
  // The same reference in an independent frame points before the block: corrupt.
  const independent = buildFrame({ independent: true, blocks: [{ data: first, stored: true }, { data: second }], content, contentChecksum: true });
  await rejectsWith(decompress(independent), "CORRUPT", /block 2.*offset/);
});

test("linked blocks over many 64 KiB blocks keep exactly the last 64 KiB of history", async () => {
  const data = randomData(65536 * 3, 12);
  const blocks = [];
  for (let at = 0; at < data.length; at += 65536) blocks.push({ data: data.subarray(at, at + 65536), stored: true });
  // Block 4: copy 64 KiB from exactly 65535 back... the most any offset can reach.
  const match = [0x0f, 0xff, 0xff, ...Array(256).fill(255), 0];
  const tail = [0x10, 0x21];
  const block4 = new Uint8Array([...match, ...tail]);
  const matchLen = 19 + 255 * 256;
  const expected = new Uint8Array(data.length + matchLen + 1);
  expected.set(data);
  for (let i = 0; i < matchLen; i++) expected[data.length + i] = expected[data.length + i - 65535]!;
  expected[expected.length - 1] = 0x21;
  const frame = buildFrame({ independent: false, blocks: [...blocks, { data: block4 }], content: expected, contentChecksum: true });
  assert.ok((await decompress(frame)).equals(expected));
});

test("block checksums, content size, skippable and concatenated frames", async () => {
  const a = checkpointLikeData(200_000, 5);
  const b = text("second frame");
  const frameA = buildFrame({ blockId: 5, blocks: [{ data: compressedBlock(a) }], content: a, blockChecksum: true, contentChecksum: true, contentSize: BigInt(a.length) });
  const frameB = buildFrame({ blocks: [{ data: b, stored: true }], content: b, blockId: 7 });
  const all = concat(skippableFrame(text("meta")), frameA, skippableFrame(new Uint8Array(100_000), 15), frameB, skippableFrame(new Uint8Array()));
  assert.ok((await decompress(all, ragged)).equals(concat(a, b)));
});

test("every block maximum size decodes; blocks over the maximum are refused before allocation", async () => {
  for (const blockId of [4, 5, 6, 7]) {
    const max = 1 << (8 + 2 * blockId);
    const next = rng(blockId);
    const data = new Uint8Array(max).map(() => next() % 16); // compressible, but not trivially
    const frame = buildFrame({ blockId, blocks: [{ data: compressedBlock(data) }], content: data, contentChecksum: true });
    assert.ok((await decompress(frame)).equals(data), `block id ${blockId}`);
    const over = buildFrame({ blockId, blocks: [{ data: new Uint8Array(8), sizeWord: max + 1 }] });
    await rejectsWith(decompress(over), "CORRUPT", /exceeds the frame's block maximum/);
    // Decoding more than the maximum from a small block is refused too.
    const big = buildFrame({ blockId, blocks: [{ data: compressedBlock(new Uint8Array(max + 1)) }] });
    await rejectsWith(decompress(big), "CORRUPT", /block maximum size/);
  }
});

test("content size is verified, and a huge declared size allocates nothing", async () => {
  const data = text("twelve bytes");
  const ok = buildFrame({ blocks: [{ data, stored: true }], contentSize: 12n });
  assert.ok((await decompress(ok)).equals(data));
  await rejectsWith(decompress(buildFrame({ blocks: [{ data, stored: true }], contentSize: 13n })), "CORRUPT", /declares 13/);
  await rejectsWith(decompress(buildFrame({ blocks: [{ data, stored: true }], contentSize: 11n })), "CORRUPT", /longer than the 11/);
  await rejectsWith(decompress(buildFrame({ blocks: [{ data, stored: true }], contentSize: 2n ** 64n - 1n })), "CORRUPT", /declares 18446744073709551615/);
  // 0 means "unknown" (as in the reference decoder).
  assert.ok((await decompress(buildFrame({ blocks: [{ data, stored: true }], contentSize: 0n }))).equals(data));
});

test("checksum mismatches are CORRUPT", async () => {
  const data = checkpointLikeData(100_000, 6);
  const block = compressedBlock(data);
  const good = buildFrame({ blockId: 5, blocks: [{ data: block }], content: data, blockChecksum: true, contentChecksum: true });
  const badBlockSum = Buffer.from(good);
  badBlockSum.writeUInt32LE(badBlockSum.readUInt32LE(7 + 4 + block.length) ^ 1, 7 + 4 + block.length);
  await rejectsWith(decompress(badBlockSum), "CORRUPT", /block checksum mismatch/);
  const badContent = Buffer.from(good);
  badContent[badContent.length - 1]! ^= 0x80;
  await rejectsWith(decompress(badContent), "CORRUPT", /content checksum mismatch/);
  await rejectsWith(decompress(buildFrame({ blocks: [], headerChecksum: 0 })), "CORRUPT", /header checksum/);
});

test("malformed headers: version, reserved bits, block size id, dictionary", async () => {
  await rejectsWith(decompress(buildFrame({ blocks: [], flgExtra: 0x80 })), "CORRUPT", /version/);
  await rejectsWith(decompress(buildFrame({ blocks: [], flgExtra: 0x02 })), "CORRUPT", /reserved/);
  await rejectsWith(decompress(buildFrame({ blocks: [], bdExtra: 0x01 })), "CORRUPT", /reserved/);
  await rejectsWith(decompress(buildFrame({ blocks: [], blockId: 3 })), "CORRUPT", /block maximum size id 3/);
  await rejectsWith(decompress(buildFrame({ blocks: [], dictId: 0x1234 })), "UNSUPPORTED", /dictionary/);
});

test("not LZ4, empty input and trailing bytes", async () => {
  await rejectsWith(decompress(new Uint8Array()), "CORRUPT", /empty input/);
  await rejectsWith(decompress(text("PK\x03\x04 this is a zip")), "CORRUPT", /not an LZ4 frame/);
  const frame = await compress(text("hello"));
  await rejectsWith(decompress(concat(frame, text("trailing garbage"))), "CORRUPT", /after frame 1/);
  await rejectsWith(decompress(concat(frame, new Uint8Array([1, 2]))), "CORRUPT", /input ends/);
});

test("every truncation of a frame is CORRUPT", async () => {
  const data = checkpointLikeData(300_000, 9);
  const frame = buildFrame({ blockId: 4, blocks: [0, 1, 2, 3, 4].map((i) => ({ data: compressedBlock(data.subarray(i * 60_000, (i + 1) * 60_000)) })), content: data, blockChecksum: true, contentChecksum: true, contentSize: BigInt(data.length) });
  assert.ok((await decompress(frame)).equals(data));
  const cuts = new Set([1, 3, 4, 5, 6, 7, 14, 15, 16, 18, 19, 100, frame.length - 5, frame.length - 4, frame.length - 1]);
  for (let cut = 19; cut < frame.length; cut += 997) cuts.add(cut);
  const started = performance.now();
  for (const cut of cuts) await rejectsWith(decompress(frame.subarray(0, cut), ragged), "CORRUPT");
  assert.ok(performance.now() - started < 5000);
});

test("random damage to a frame is CORRUPT, never another error", async () => {
  const data = checkpointLikeData(256 << 10, 10);
  const frame = await compress(data);
  const next = rng(4242);
  const started = performance.now();
  for (let i = 0; i < 300; i++) {
    const damaged = Buffer.from(frame);
    const hits = 1 + (next() % 4);
    for (let h = 0; h < hits; h++) damaged[next() % damaged.length] = next() & 0xff;
    if (damaged.equals(frame)) continue;
    await rejectsWith(decompress(damaged), "CORRUPT");
  }
  assert.ok(performance.now() - started < 10_000);
});

test("legacy frames (lz4 -l) decode, alone and followed by a modern frame", async () => {
  const a = checkpointLikeData(100_000, 13);
  const b = text("after the legacy frame");
  const legacy = concat(u32le(0x184c2102), u32le(compressedBlock(a).length), compressedBlock(a));
  assert.ok((await decompress(legacy)).equals(a));
  const both = concat(legacy, await compress(b));
  assert.ok((await decompress(both, ragged)).equals(concat(a, b)));
});
