import assert from "node:assert/strict";
import { test } from "node:test";
import { XxHash32, xxhash32 } from "../src/xxhash32.js";
import { randomData } from "./helpers/checkpoint-data.js";
import { need, py } from "./helpers/oracles.js";

const text = (s: string) => new TextEncoder().encode(s);

test("xxHash32 matches published vectors (seed 0)", () => {
  assert.equal(xxhash32(new Uint8Array()), 0x02cc5d05); // the spec's empty-input value
  assert.equal(xxhash32(text("a")), 0x550d7456);
  assert.equal(xxhash32(text("abc")), 0x32d153ff);
  // Lengths around the 16-byte stripe and 4-byte lane edges (values from Python's lz4, below).
  assert.equal(xxhash32(text("x".repeat(17))), 0x483f1b5f);
});

test("xxHash32 gives the same digest for any split of the input", () => {
  const data = randomData(1000, 9);
  const whole = xxhash32(data);
  for (const step of [1, 3, 15, 16, 17, 64, 999]) {
    const h = new XxHash32();
    for (let at = 0; at < data.length; at += step) h.update(data.subarray(at, at + step));
    assert.equal(h.digest(), whole, `split every ${step} bytes`);
  }
  // Unaligned views hash like their copies.
  assert.equal(xxhash32(data.subarray(3, 503)), xxhash32(data.slice(3, 503)));
});

test("xxHash32 agrees with the reference (content checksums Python's lz4.frame writes)", (t) => {
  if (!need(t, "python")) return;
  const lengths = [...Array(40).keys(), 63, 64, 65, 255, 256, 1000, 4096, 65537, 1 << 20];
  const inputs = lengths.map((n, i) => randomData(n, 100 + i));
  // The last 4 bytes of a frame with content_checksum=True are xxHash32(content), little-endian.
  const expected = py(
    "import sys, lz4.frame\n" +
      "hexes = sys.stdin.read().split(',')\n" +
      "print('\\n'.join(lz4.frame.compress(bytes.fromhex(h), content_checksum=True)[-4:][::-1].hex() for h in hexes))",
    [],
    Buffer.from(inputs.map((b) => Buffer.from(b).toString("hex")).join(",")),
  ).toString().trim().split("\n");
  assert.equal(expected.length, inputs.length);
  inputs.forEach((input, i) => assert.equal(xxhash32(input).toString(16).padStart(8, "0"), expected[i], `length ${input.length}`));
});
