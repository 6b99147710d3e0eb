import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { CkptError, validate, readManifest } from "@ckpt/core";
import { FIXTURES, bad, expectation, registry } from "./helpers.js";

const files = readdirSync(join(FIXTURES, "bad")).filter((f) => /\.thalia(\.|$)/.test(f) && !f.endsWith(".expect.json"));

/** What each damaged file's error must mention. */
const PROBLEM: Record<string, RegExp> = {
  "bad_checksum.thalia": /SHA-256 trailer mismatch: the file says [0-9a-f]{64}, its content hashes to [0-9a-f]{64}/,
  "bad_magic.thalia": /not a Thalia container \(magic/,
  "empty.thalia": /empty/,
  "future_major_version.thalia": /version 7\.1\.0 is newer than the supported 0\.1\.0/,
  "huge_shape.thalia": /claims shape \[4294967280, 4294967280\]/,
  "index_length_huge.thalia": /region_index_length = \d+ lies past the end/,
  "metadata_offset_out_of_range.thalia": /metadata_offset = 0 points inside the 256-byte header/,
  // One byte of a region JSON was removed and the trailer recomputed: everything after it shifted.
  "region_json_corrupt.thalia": /region index \(168358\+384\) lies past the end of the body \(168741 bytes\): the file is truncated or its contents shifted/,
  "truncated.thalia": /lies past the end of the body/,
  "unknown_dtype.thalia": /unknown dtype code \d+/,
  "truncated.thalia.zst": /SHA-256 trailer mismatch|zstd/,
  "corrupt_block.thalia.lz4": /SHA-256 trailer mismatch|lz4/,
};

for (const name of files) {
  test(`bad/${name}: one clear line, fast, no allocation from claimed sizes`, async () => {
    const path = bad(name);
    assert.equal(expectation(path).get("expect_error"), true);
    const started = performance.now();
    const before = process.memoryUsage().arrayBuffers;
    await assert.rejects(readManifest(path, { registry: registry() }), (error: CkptError) => {
      assert.ok(error instanceof CkptError, String(error));
      assert.ok(error.message.startsWith(path), error.message);
      assert.ok(!error.message.includes("\n"), "one line");
      assert.match(error.message, PROBLEM[name] ?? /./);
      return true;
    });
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 << 20, "no large allocation");
    assert.ok(performance.now() - started < 1000, "well under a second");
    const result = await validate(path, { registry: registry() });
    assert.equal(result.valid, false);
  });
}

test("--no-verify-checksum reads a file whose trailer does not match", async () => {
  const manifest = await readManifest(bad("bad_checksum.thalia"), { registry: registry(), readOptions: { verifyChecksum: false } });
  assert.equal(manifest.format, "thalia");
});

test("a damaged region JSON (trailer recomputed) names the region and the position", async () => {
  const { readFileSync, writeFileSync, mkdtempSync } = await import("node:fs");
  const { createHash } = await import("node:crypto");
  const { tmpdir } = await import("node:os");
  const bytes = Buffer.from(readFileSync(join(FIXTURES, "reference", "brain_v2.thalia")));
  const indexAt = Number(bytes.readBigUInt64LE(36));
  const jsonAt = Number(bytes.readBigUInt64LE(indexAt + 32));
  bytes[jsonAt + 4] = 0x7b; // "{" where the first key's opening quote should be
  createHash("sha256").update(bytes.subarray(0, -32)).digest().copy(bytes, bytes.byteLength - 32);
  const path = join(mkdtempSync(join(tmpdir(), "ckpt-bad-")), "damaged.thalia");
  writeFileSync(path, bytes);
  await assert.rejects(readManifest(path, { registry: registry() }), /damaged\.thalia: region "thalamus" invalid JSON at character \d+/);
});
