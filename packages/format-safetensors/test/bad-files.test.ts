import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CkptError, readManifest, validate } from "@ckpt/core";
import { FIXTURES, bad, registry, tempDir, withDecoded } from "./helpers.js";

/** What each bad fixture's message must name (its .expect.json says why it is bad). */
const WHY: Record<string, { code: string; message: RegExp }> = {
  "bad_offsets.safetensors": { code: "CORRUPT", message: /tensors end at byte 16 of the data buffer, past its end \(8 bytes\)/ },
  "header_too_large.safetensors": { code: "LIMIT", message: /header length 1099511627776 exceeds the 100000000-byte limit/ },
  "overlap.safetensors": { code: "CORRUPT", message: /tensor "b": data_offsets \[4, 12\] overlap the previous tensor, which ends at 8/ },
  "shape_mismatch.safetensors": { code: "CORRUPT", message: /tensor "a": data_offsets \[0, 8\]: shape \[3\] of F32 needs 12 bytes, the offsets give 8/ },
};

const files = readdirSync(join(FIXTURES, "bad")).filter((f) => f.endsWith(".safetensors"));

test("every bad safetensors fixture has an expectation here", () => {
  assert.deepEqual(files.sort(), Object.keys(WHY).sort());
});

for (const name of files) {
  test(`bad/${name}: one-line ${WHY[name]!.code} naming the file and the rule, under a second`, async () => {
    const path = bad(name);
    const started = performance.now();
    await assert.rejects(readManifest(path, { registry: registry() }), (error: unknown) => {
      assert.ok(error instanceof CkptError, String(error));
      assert.equal(error.code, WHY[name]!.code);
      assert.ok(error.message.startsWith(`${path}: `), error.message);
      assert.match(error.message, WHY[name]!.message);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
    assert.ok(performance.now() - started < 1000);
    const result = await validate(path, { registry: registry() });
    assert.equal(result.valid, false);
  });
}

/** A safetensors file from header text and data bytes (N computed unless given). */
function file(header: string, data: Uint8Array | number = 0, n?: bigint): Buffer {
  const json = Buffer.from(header, "utf8");
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(n ?? BigInt(json.byteLength));
  return Buffer.concat([head, json, typeof data === "number" ? Buffer.alloc(data) : data]);
}

const entry = (dtype: string, shape: string, offsets: string) => `{"dtype":"${dtype}","shape":${shape},"data_offsets":${offsets}}`;

/** Each rule of the reference reader, broken once. */
const RULES: [string, Buffer, string, RegExp][] = [
  ["shorter than 8 bytes", Buffer.from([1, 2, 3]), "CORRUPT", /file is 3 bytes, shorter than the 8-byte header length/],
  ["N over 100,000,000", file("{}", 0, 100_000_001n), "LIMIT", /header length 100000001 exceeds the 100000000-byte limit/],
  ["N = 2^64 - 1", file("{}", 0, (1n << 64n) - 1n), "LIMIT", /header length 18446744073709551615 exceeds/],
  ["8 + N past the end", file("{}", 0, 50n), "CORRUPT", /header length 50 runs past the end of the file \(10 bytes\)/],
  ["not UTF-8", file('{"X":1}').fill(0xff, 10, 11), "CORRUPT", /header is not valid UTF-8/], // X → 0xff
  ["not JSON", file("{nope}"), "CORRUPT", /header is not valid JSON/],
  ["not an object", file("[1,2]   "), "CORRUPT", /header is not a JSON object/],
  ["a BOM before the object", file("\ufeff{}"), "CORRUPT", /header is not valid JSON/],
  ["unknown dtype", file(`{"w":${entry("F99", "[1]", "[0,4]")}}`, 4), "CORRUPT", /tensor "w": unknown dtype "F99"/],
  ["a float in the shape", file(`{"w":${entry("F32", "[1.0]", "[0,4]")}}`, 4), "CORRUPT", /tensor "w": shape\[0\] is 1, not a non-negative integer/],
  ["a negative offset", file(`{"w":${entry("F32", "[1]", "[-4,0]")}}`, 4), "CORRUPT", /tensor "w": data_offsets\[0\] is -4, not a non-negative integer/],
  ["a string offset", file(`{"w":${entry("F32", "[1]", '["0",4]')}}`, 4), "CORRUPT", /data_offsets\[0\] is a string, not a non-negative integer/],
  ["three offsets", file(`{"w":${entry("F32", "[1]", "[0,4,8]")}}`, 4), "CORRUPT", /tensor "w": data_offsets has 3 numbers, not exactly two/],
  ["one offset", file(`{"w":${entry("F32", "[1]", "[0]")}}`, 4), "CORRUPT", /data_offsets has 1 numbers, not exactly two/],
  ["a missing field", file('{"w":{"dtype":"F32","shape":[1]}}', 4), "CORRUPT", /tensor "w" has no data_offsets/],
  ["an entry that is not an object", file('{"w":[1]}'), "CORRUPT", /tensor "w" is not a JSON object/],
  ["a non-string metadata value", file('{"__metadata__":{"epoch":7}}'), "CORRUPT", /__metadata__ value for "epoch" is not a string/],
  ["metadata that is not an object", file('{"__metadata__":"x"}'), "CORRUPT", /__metadata__ is not a JSON object/],
  ["a hole", file(`{"a":${entry("U8", "[1]", "[0,1]")},"b":${entry("U8", "[1]", "[2,3]")}}`, 3), "CORRUPT", /tensor "b": data_offsets \[2, 3\] leave a hole after the previous tensor, which ends at 1/],
  ["an overlap", file(`{"a":${entry("U8", "[2]", "[0,2]")},"b":${entry("U8", "[2]", "[1,3]")}}`, 3), "CORRUPT", /overlap the previous tensor, which ends at 2/],
  ["the first tensor not at 0", file(`{"a":${entry("U8", "[1]", "[1,2]")}}`, 2), "CORRUPT", /tensor "a": data_offsets \[1, 2\]: the first tensor does not start at 0/],
  ["offsets backwards", file(`{"a":${entry("U8", "[0]", "[0,0]")},"b":${entry("U8", "[1]", "[0,-1]")}}`, 0), "CORRUPT", /data_offsets\[1\] is -1/],
  ["end before begin", file(`{"a":${entry("U8", "[2]", "[0,2]")},"b":${entry("U8", "[0]", "[2,1]")}}`, 2), "CORRUPT", /tensor "b": data_offsets \[2, 1\] end before they begin/],
  ["byte length ≠ shape × size", file(`{"a":${entry("F16", "[3]", "[0,4]")}}`, 4), "CORRUPT", /shape \[3\] of F16 needs 6 bytes, the offsets give 4/],
  ["shape product overflow", file(`{"a":${entry("U8", "[4294967296,4294967296,0]", "[0,0]")}}`), "CORRUPT", /has more elements than fit in 64 bits/],
  ["sub-byte dtype not filling bytes", file(`{"a":${entry("F4", "[3]", "[0,1]")}}`, 1), "CORRUPT", /F4 shape \[3\] does not fill whole bytes/],
  ["trailing bytes", file(`{"a":${entry("U8", "[1]", "[0,1]")}}`, 3), "CORRUPT", /tensors end at byte 1 of the data buffer, leaving 2 trailing bytes/],
  ["offsets past 2^53, exact", file(`{"a":${entry("U8", "[1]", "[9007199254740993,9007199254740994]")}}`, 1), "CORRUPT", /data_offsets \[9007199254740993, 9007199254740994\]: the first tensor does not start at 0/],
  ["an offset past u64", file(`{"a":${entry("U8", "[1]", "[0,18446744073709551616]")}}`, 1), "CORRUPT", /data_offsets\[1\] is 18446744073709551616, larger than a u64/],
  ["a zero-size tensor with a dimension past 2^53 (valid, but not representable)", file(`{"a":${entry("U8", "[0,9007199254740993]", "[0,0]")}}`), "LIMIT", /past 2\^53/],
  ["a valid F4 tensor (ckpt has no F4)", file(`{"a":${entry("F4", "[2]", "[0,1]")}}`, 1), "UNSUPPORTED", /tensor "a" has dtype F4, which ckpt cannot represent/],
  ["a malformed ckpt.tree", file('{"__metadata__":{"ckpt.tree":"{\\"a\\":"}}'), "CORRUPT", /__metadata__\["ckpt\.tree"\]: not valid JSON/],
  ["a ckpt.tree naming a missing tensor", file('{"__metadata__":{"ckpt.tree":"{\\"a\\":{\\"$tensor\\":\\"nope\\"}}"}}'), "CORRUPT", /refers to tensor "nope", which the file does not hold/],
  ["a ckpt.tree with an unknown tag", file('{"__metadata__":{"ckpt.tree":"{\\"a\\":{\\"$what\\":1}}"}}'), "CORRUPT", /unknown tag "\$what"/],
];

for (const [rule, bytes, code, message] of RULES) {
  test(`refused with ${code}: ${rule}`, async () => {
    const path = join(tempDir(), "case.safetensors");
    writeFileSync(path, bytes);
    await assert.rejects(withDecoded(path, async (c) => c.root), (error: unknown) => {
      assert.ok(error instanceof CkptError, String(error));
      assert.equal(error.code, code, error.message);
      assert.ok(error.message.startsWith(`${path}: `), error.message);
      assert.match(error.message, message);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
  });
}

test("accepted as the reference accepts: whitespace around the object, extra fields, null metadata, zero-size tensors", async () => {
  const header = ` \n{"__metadata__":null,"z":${entry("F32", "[0,4]", "[0,0]")},"s":{"dtype":"U8","shape":[],"data_offsets":[0,1],"extra":[1,{"x":2}]}}\t `;
  const path = join(tempDir(), "ok.safetensors");
  writeFileSync(path, file(header, Buffer.from([7])));
  await withDecoded(path, async (c) => {
    assert.deepEqual([...c.root.keys()], ["z", "s"]);
    assert.deepEqual(Object.keys(c.info ?? {}).filter((key) => key.startsWith("metadata.")), []);
  });
});
