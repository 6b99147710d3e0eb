/**
 * Interop with the reference implementations: the zstd CLI and Python's zstandard must read
 * what we write, and both our decoders (native and fzstd fallback) must read what they write.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { CkptError, type ByteTransform } from "@ckpt/core";
import plugin from "../src/index.js";
import { fallbackDecompress } from "../src/fallback.js";
import { chunked, collect, compressible, incompressible } from "./helpers/data.js";
import { headerOf, skippable } from "./helpers/frames.js";
import { PY_ONE_SHOT, PY_STREAM, needOracle, python, zstdCli } from "./helpers/oracles.js";

const SIZE = 16 << 20;
const dir = mkdtempSync(join(tmpdir(), "ckpt-zstd-interop-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const DATA = { compressible: compressible(SIZE), incompressible: incompressible(SIZE) };
type Kind = keyof typeof DATA;
const FILES = Object.fromEntries(Object.entries(DATA).map(([kind, data]) => {
  const path = join(dir, `${kind}.bin`);
  writeFileSync(path, data);
  return [kind, path];
})) as Record<Kind, string>;

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");
const SUMS = { compressible: sha256(DATA.compressible), incompressible: sha256(DATA.incompressible) };
const DECODERS: Record<string, () => ByteTransform> = { native: () => plugin.decompress(), fallback: () => fallbackDecompress() };

/** Both our decoders, on input delivered in 64 KiB chunks as from a file. */
async function assertWeRead(z: Uint8Array, expected: Buffer): Promise<void> {
  for (const [name, decode] of Object.entries(DECODERS)) {
    const out = await collect(decode()(chunked(z, [65536])));
    assert.equal(out.length, expected.length, `${name}: length`);
    assert.equal(sha256(out), sha256(expected), `${name}: content`);
  }
}

describe("the zstd CLI and python zstandard read what we write", () => {
  const cases: { kind: Kind; level: number; pledge: boolean }[] = [
    { kind: "compressible", level: 1, pledge: true },
    { kind: "compressible", level: 1, pledge: false },
    { kind: "compressible", level: 3, pledge: true },
    { kind: "compressible", level: 3, pledge: false },
    { kind: "compressible", level: 19, pledge: true },
    { kind: "incompressible", level: 1, pledge: true },
    { kind: "incompressible", level: 3, pledge: true },
    { kind: "incompressible", level: 3, pledge: false },
    { kind: "incompressible", level: 19, pledge: false },
  ];
  for (const { kind, level, pledge } of cases) {
    test(`${kind}, level ${level}, ${pledge ? "with" : "without"} contentSize`, async (t) => {
      const data = DATA[kind];
      const z = await collect(plugin.compress({ level, ...(pledge && { contentSize: SIZE }) })(chunked(data)));
      assert.deepEqual(headerOf(z), { contentSize: pledge ? SIZE : undefined, checksum: true });
      const path = join(dir, `ours-${kind}-${level}-${pledge}.zst`);
      writeFileSync(path, z);
      await t.test("zstd -d", (st) => {
        if (!needOracle(st, "zstd CLI")) return;
        assert.equal(sha256(zstdCli(["-d", "-c", path])), SUMS[kind]);
      });
      await t.test(pledge ? "python one-shot decompress (needs the content size)" : "python stream_reader", (st) => {
        if (!needOracle(st, "python zstandard")) return;
        assert.equal(python(pledge ? PY_ONE_SHOT : PY_STREAM, [path]), `${SIZE} ${SUMS[kind]}`);
      });
      await t.test("our decoders", () => assertWeRead(z, data));
      rmSync(path);
    });
  }
});

describe("we read what the zstd CLI writes", () => {
  const cli = (args: string[], kind: Kind) => zstdCli([...args, "-c", FILES[kind]]);
  const cases: { name: string; make: () => Buffer; expected: () => Buffer; header?: { contentSize: number | undefined; checksum: boolean } }[] = [
    { name: "defaults (content size, checksum)", make: () => cli([], "compressible"), expected: () => DATA.compressible, header: { contentSize: SIZE, checksum: true } },
    { name: "defaults, incompressible", make: () => cli([], "incompressible"), expected: () => DATA.incompressible, header: { contentSize: SIZE, checksum: true } },
    { name: "--no-check", make: () => cli(["--no-check"], "compressible"), expected: () => DATA.compressible, header: { contentSize: SIZE, checksum: false } },
    { name: "--fast=3 -T2 (multi-threaded)", make: () => cli(["--fast=3", "-T2"], "compressible"), expected: () => DATA.compressible },
    {
      name: "through a pipe: no content size",
      make: () => zstdCli(["-c"], DATA.incompressible),
      expected: () => DATA.incompressible,
      header: { contentSize: undefined, checksum: true },
    },
    {
      name: "concatenated frames (cat a.zst b.zst)",
      make: () => Buffer.concat([cli([], "compressible"), cli(["--no-check", "-1"], "incompressible")]),
      expected: () => Buffer.concat([DATA.compressible, DATA.incompressible]),
    },
    {
      name: "frames between skippable frames",
      make: () => Buffer.concat([skippable(Buffer.from("index")), cli([], "incompressible"), skippable(Buffer.alloc(1000), 3), cli(["-1"], "compressible"), skippable(new Uint8Array(0))]),
      expected: () => Buffer.concat([DATA.incompressible, DATA.compressible]),
    },
  ];
  for (const { name, make, expected, header } of cases) {
    test(name, async (t) => {
      if (!needOracle(t, "zstd CLI")) return;
      const z = make();
      if (header) assert.deepEqual(headerOf(z), header);
      await assertWeRead(z, expected());
    });
  }
});

test("we read what python zstandard writes", async (t) => {
  if (!needOracle(t, "python zstandard")) return;
  python(
    `
import sys, zstandard as z
a, b, out = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read(), sys.argv[3]
def save(name, data): open(out + "/" + name, "wb").write(data)
save("py-one-shot.zst", z.ZstdCompressor(write_checksum=True).compress(a))
with open(out + "/py-stream-writer.zst", "wb") as f:
    with z.ZstdCompressor(level=5).stream_writer(f, closefd=False) as w:
        for i in range(0, len(b), 1 << 20): w.write(b[i:i + (1 << 20)])
o = z.ZstdCompressor(write_checksum=True).compressobj()
save("py-compressobj.zst", o.compress(a) + o.flush())
save("py-no-size.zst", z.ZstdCompressor(level=1, write_content_size=False).compress(b))
c = z.ZstdCompressor(write_checksum=True)
save("py-two-frames.zst", c.compress(a) + c.compress(b))
`,
    [FILES.compressible, FILES.incompressible, dir],
  );
  const { compressible: a, incompressible: b } = DATA;
  const cases: [string, Buffer, { contentSize: number | undefined; checksum: boolean }][] = [
    ["py-one-shot.zst", a, { contentSize: SIZE, checksum: true }],
    ["py-stream-writer.zst", b, { contentSize: undefined, checksum: false }],
    ["py-compressobj.zst", a, { contentSize: undefined, checksum: true }],
    ["py-no-size.zst", b, { contentSize: undefined, checksum: false }],
    ["py-two-frames.zst", Buffer.concat([a, b]), { contentSize: SIZE, checksum: true }],
  ];
  for (const [file, expected, header] of cases) {
    await t.test(file, async () => {
      const z = readFileSync(join(dir, file));
      assert.deepEqual(headerOf(z), header);
      await assertWeRead(z, expected);
    });
  }
});

test("both decoders refuse damaged and truncated CLI output", async (t) => {
  if (!needOracle(t, "zstd CLI")) return;
  const checked = zstdCli(["-c"], DATA.incompressible.subarray(0, 4 << 20));
  const flipped = Buffer.from(checked);
  flipped[checked.length >> 1] = (flipped[checked.length >> 1] as number) ^ 1;
  for (const [name, decode] of Object.entries(DECODERS)) {
    for (const [what, input, pattern] of [
      ["flipped byte in a raw block", flipped, /content checksum mismatch/],
      ["truncated", checked.subarray(0, checked.length - 1000), /truncated input/],
    ] as const) {
      await assert.rejects(collect(decode()(chunked(input))), (e: unknown) => e instanceof CkptError && e.code === "CORRUPT" && pattern.test(e.message), `${name}: ${what}`);
    }
  }
});
