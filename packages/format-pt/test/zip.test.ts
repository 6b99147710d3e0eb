/**
 * The zip layer on its own: what writeZip streams, readZip reads back; Python's zipfile and
 * Info-ZIP accept it; zips from other tools (deflated too) and every torch fixture read;
 * damage is reported, not trusted; zip64 sizes and offsets, written for real into a sparse file.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { CkptError, FileRangeSource, RandomAccessFile } from "@ckpt/core";
import { crc32, entrySource, readZip, verifyCrc, type ZipEntry } from "../src/zip/read.js";
import {
  ALIGNMENT,
  centralHeader,
  dataDescriptor,
  endRecords,
  localHeader,
  writeZip,
  zipLayout,
  type ZipWriteEntry,
} from "../src/zip/write.js";
import { FIXTURES } from "./helpers.js";

const PYTHON = "/usr/bin/python3";
const UNZIP = "/usr/bin/unzip";
const made: string[] = [];
const workdir = () => {
  const dir = mkdtempSync(join(tmpdir(), "ckpt-pt-zip-"));
  made.push(dir);
  return dir;
};
// The zip64 test leaves a (sparse) file of more than 4 GiB: never leave it behind.
process.on("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** True when /usr/bin/python3 runs; in CI its absence fails instead of skipping. */
function hasPython(t: TestContext): boolean {
  const ok = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import zipfile"]).status === 0;
  if (!ok && process.env.CI === "true") throw new Error("/usr/bin/python3 (the zip oracle) is missing in CI");
  if (!ok) t.skip("no /usr/bin/python3");
  return ok;
}

function python(script: string, ...args: string[]): string {
  return execFileSync(PYTHON, ["-c", script, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
}

const bytesEntry = (name: string, bytes: Uint8Array): ZipWriteEntry => ({
  name,
  size: bytes.byteLength,
  chunks: async function* () {
    yield bytes;
  },
});

/** Streams writeZip into `path` (small chunks gathered into one write), returning how many bytes came out. */
async function writeZipFile(path: string, entries: ZipWriteEntry[]): Promise<number> {
  const fd = openSync(path, "w");
  let written = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = () => {
    const bytes = Buffer.concat(pending);
    writeSync(fd, bytes, 0, bytes.byteLength, written);
    written += bytes.byteLength;
    pending = [];
    pendingBytes = 0;
  };
  try {
    for await (const chunk of writeZip(entries)) {
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
      if (pendingBytes >= 1 << 20) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return written;
}

async function withZip<T>(path: string, use: (file: RandomAccessFile, zip: Awaited<ReturnType<typeof readZip>>) => Promise<T>): Promise<T> {
  const file = await RandomAccessFile.open(path);
  try {
    return await use(file, await readZip(file, path));
  } finally {
    await file.close();
  }
}

/** The offset of the central directory entry named `name` (found by scanning, independently of readZip). */
function centralEntryAt(bytes: Buffer, name: string): number {
  const wanted = Buffer.from(name, "utf8");
  for (let at = bytes.indexOf("PK\x01\x02", 0, "latin1"); at >= 0; at = bytes.indexOf("PK\x01\x02", at + 1, "latin1")) {
    const length = bytes.readUInt16LE(at + 28);
    if (length === wanted.byteLength && bytes.subarray(at + 46, at + 46 + length).equals(wanted)) return at;
  }
  throw new Error(`no central entry ${name}`);
}

async function rejectsWith(promise: Promise<unknown>, path: string, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CkptError, String(error));
    assert.equal(error.code, code, error.message);
    assert.ok(error.message.startsWith(path), error.message);
    assert.ok(!error.message.includes("\n"), "one line");
    assert.match(error.message, message);
    return true;
  });
}

// A payload with several uneven chunks (and an empty one) to exercise the incremental CRC.
const random = randomBytes(100 * 1024);
const chunked = (bytes: Uint8Array, sizes: number[]) => async function* () {
  let at = 0;
  for (const size of sizes) {
    yield bytes.subarray(at, at + size);
    at += size;
  }
  yield bytes.subarray(at);
};
const sample = (): { entries: ZipWriteEntry[]; contents: Map<string, Uint8Array> } => {
  const contents = new Map<string, Uint8Array>([
    ["archive/data.pkl", Buffer.from("\x80\x02}q\x00.", "latin1")],
    ["archive/byteorder", Buffer.from("little")],
    ["archive/data/0", new Uint8Array(0)],
    ["archive/data/1", Uint8Array.of(0xa5)],
    ["archive/data/2", random],
    ["archive/données/é", Buffer.from("non-ASCII name, UTF-8 flag")],
    ["archive/version", Buffer.from("3\n")],
  ]);
  const entries = [...contents].map(([name, bytes]) =>
    name === "archive/data/2" ? { name, size: bytes.byteLength, chunks: chunked(bytes, [1, 63, 0, 4096, 7777]) } : bytesEntry(name, bytes),
  );
  return { entries, contents };
};

test("writeZip → readZip: bytes, CRCs, 64-byte aligned data, size known up front", async () => {
  const { entries, contents } = sample();
  const path = join(workdir(), "round.pt");
  const layout = zipLayout(entries);
  const streamed = await writeZipFile(path, entries);
  assert.equal(streamed, layout.totalSize);
  assert.equal(statSync(path).size, layout.totalSize);

  await withZip(path, async (file, zip) => {
    assert.equal(zip.prefix, "archive/");
    assert.deepEqual(zip.entries.map((e) => e.name), [...contents.keys()]);
    for (const [index, entry] of zip.entries.entries()) {
      const want = contents.get(entry.name)!;
      assert.equal(entry.method, 0);
      assert.equal(entry.flags, 0x0808);
      assert.equal(entry.size, want.byteLength);
      assert.equal(entry.compressedSize, want.byteLength);
      assert.equal(entry.crc32, crc32(want), entry.name);
      assert.equal(entry.dataOffset % 64, 0, `${entry.name} starts at ${entry.dataOffset}`);
      assert.equal(entry.dataOffset, layout.entries[index]!.dataOffset);
      assert.equal(entry.localHeaderOffset, layout.entries[index]!.localHeaderOffset);
      const source = entrySource(file, entry, path);
      assert.ok(source instanceof FileRangeSource, "stored entries are lazy file ranges");
      assert.equal(source.byteLength, want.byteLength);
      assert.deepEqual(Buffer.from(await source.read()), Buffer.from(want), entry.name);
      await verifyCrc(file, entry, path);
    }
    assert.equal(zip.byName.get("archive/données/é")?.name, "archive/données/é");
  });
});

test("the padding is torch's: an 'FB' extra of 'Z' bytes, then the data", async () => {
  const { entries } = sample();
  const path = join(workdir(), "fb.pt");
  await writeZipFile(path, entries);
  const bytes = readFileSync(path);
  for (const at of zipLayout(entries).entries) {
    const extraAt = at.localHeaderOffset + 30 + at.name.byteLength;
    assert.equal(bytes.readUInt16LE(at.localHeaderOffset + 28), 4 + at.padding);
    assert.equal(bytes.toString("latin1", extraAt, extraAt + 2), "FB");
    assert.equal(bytes.readUInt16LE(extraAt + 2), at.padding);
    assert.ok(bytes.subarray(extraAt + 4, extraAt + 4 + at.padding).every((b) => b === 0x5a));
    assert.ok(at.padding < ALIGNMENT);
    // zero CRC and sizes locally, the descriptor after the data holds them
    assert.equal(bytes.readUInt32LE(at.localHeaderOffset + 14), 0);
    assert.equal(bytes.readUInt32LE(at.localHeaderOffset + 18), 0);
    assert.equal(bytes.readUInt32LE(at.dataOffset + at.size), 0x08074b50);
    assert.equal(bytes.readUInt32LE(at.dataOffset + at.size + 12), at.size);
  }
  // always the zip64 end records, and a classic EOCD with the real (small) values
  const eocd = bytes.length - 22;
  assert.equal(bytes.readUInt32LE(eocd), 0x06054b50);
  assert.equal(bytes.readUInt32LE(eocd - 20), 0x07064b50);
  assert.equal(bytes.readUInt32LE(eocd - 76), 0x06064b50);
  assert.equal(bytes.readUInt16LE(eocd + 10), entries.length);
  assert.equal(bytes.readUInt32LE(eocd + 16), zipLayout(entries).centralDirectoryOffset);
});

test("the same entries give the same bytes (fixed timestamps)", async () => {
  const dir = workdir();
  await writeZipFile(join(dir, "a.pt"), sample().entries);
  await writeZipFile(join(dir, "b.pt"), sample().entries);
  assert.ok(readFileSync(join(dir, "a.pt")).equals(readFileSync(join(dir, "b.pt"))));
});

test("writeZip refuses a source that gives more or fewer bytes than announced", async () => {
  const path = join(workdir(), "short.pt");
  const lying = (size: number, bytes: Uint8Array): ZipWriteEntry => ({ ...bytesEntry("archive/data/0", bytes), size });
  await assert.rejects(writeZipFile(path, [lying(5, new Uint8Array(4))]), /gave 4 bytes, 5 were announced/);
  await assert.rejects(writeZipFile(path, [lying(3, new Uint8Array(4))]), /more than the 3 bytes announced/);
});

test("Python's zipfile and Info-ZIP unzip test and read what writeZip wrote", async (t) => {
  if (!hasPython(t)) return;
  const { entries, contents } = sample();
  const path = join(workdir(), "for-python.pt");
  await writeZipFile(path, entries);
  const report = JSON.parse(python(`
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    print(json.dumps({"bad": z.testzip(), "files": [[i.filename, i.flag_bits, i.compress_type, i.file_size, hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist()]}))
`, path)) as { bad: string | null; files: [string, number, number, number, string][] };
  assert.equal(report.bad, null);
  assert.deepEqual(
    report.files,
    [...contents].map(([name, bytes]) => [name, 0x0808, 0, bytes.byteLength, createHash("sha256").update(bytes).digest("hex")]),
  );
  if (existsSync(UNZIP)) {
    const run = spawnSync(UNZIP, ["-t", path], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /No errors detected/);
  }
});

test("zips from Python's zipfile: deflated and stored entries read, CRCs verified", async (t) => {
  if (!hasPython(t)) return;
  const dir = workdir();
  const path = join(dir, "python.zip");
  const compressible = Buffer.from("tensor bytes that compress well. ".repeat(5000));
  writeFileSync(join(dir, "compressible"), compressible);
  writeFileSync(join(dir, "random"), random);
  python(`
import sys, zipfile
d, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w") as z:
    z.write(d + "/compressible", "model/deflated", compress_type=zipfile.ZIP_DEFLATED)
    z.write(d + "/random", "model/stored", compress_type=zipfile.ZIP_STORED)
    z.writestr(zipfile.ZipInfo("model/empty-deflated"), b"", compress_type=zipfile.ZIP_DEFLATED)
`, dir, path);
  await withZip(path, async (file, zip) => {
    assert.equal(zip.prefix, "model/");
    const deflated = zip.byName.get("model/deflated")!;
    assert.equal(deflated.method, 8);
    assert.ok(deflated.compressedSize < compressible.byteLength / 10);
    assert.deepEqual(Buffer.from(await entrySource(file, deflated, path).read()), compressible);
    const stored = zip.byName.get("model/stored")!;
    assert.equal(stored.method, 0);
    assert.deepEqual(Buffer.from(await entrySource(file, stored, path).read()), random);
    const empty = zip.byName.get("model/empty-deflated")!;
    assert.equal((await entrySource(file, empty, path).read()).byteLength, 0);
    for (const entry of zip.entries) await verifyCrc(file, entry, path);
  });
});

test("damage is reported: a flipped byte fails the CRC, a lying size cannot inflate past it", async (t) => {
  if (!hasPython(t)) return;
  const dir = workdir();
  const path = join(dir, "python.zip");
  python(`
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("m/stored", bytes(range(256)) * 40, compress_type=zipfile.ZIP_STORED)
    z.writestr("m/deflated", b"abc" * 40000, compress_type=zipfile.ZIP_DEFLATED)
`, path);
  const pristine = readFileSync(path);

  // one byte inside the stored data
  const flipped = join(dir, "flipped.zip");
  const damaged = Buffer.from(pristine);
  const storedAt = await withZip(path, async (_file, zip) => zip.byName.get("m/stored")!);
  damaged.writeUInt8(damaged.readUInt8(storedAt.dataOffset + 1000) ^ 0x01, storedAt.dataOffset + 1000);
  writeFileSync(flipped, damaged);
  await withZip(flipped, async (file, zip) => {
    await verifyCrc(file, zip.byName.get("m/deflated")!, flipped);
    await rejectsWith(verifyCrc(file, zip.byName.get("m/stored")!, flipped), flipped, "CHECKSUM", /zip entry m\/stored: CRC-32 is [0-9a-f]{8}, the directory says [0-9a-f]{8} \(the entry is damaged; --no-verify-crc reads it anyway\)/);
  });

  // the directory claims 1000 bytes for what inflates to 120000: refused, not allocated
  const bomb = join(dir, "bomb.zip");
  const lying = Buffer.from(pristine);
  lying.writeUInt32LE(1000, centralEntryAt(lying, "m/deflated") + 24);
  writeFileSync(bomb, lying);
  await withZip(bomb, async (file, zip) => {
    const entry = zip.byName.get("m/deflated")!;
    assert.equal(entry.size, 1000);
    await rejectsWith(entrySource(file, entry, bomb).read(), bomb, "CORRUPT", /inflates to more than 1000 bytes/);
    await rejectsWith(verifyCrc(file, entry, bomb), bomb, "CORRUPT", /inflates to more than 1000 bytes/);
  });

  // ...or far more than deflate can produce from its compressed bytes: refused when the directory is read
  const claim = join(dir, "claim.zip");
  const huge = Buffer.from(pristine);
  huge.writeUInt32LE(0xfffffff0, centralEntryAt(huge, "m/deflated") + 24);
  writeFileSync(claim, huge);
  const file = await RandomAccessFile.open(claim);
  try {
    await rejectsWith(readZip(file, claim), claim, "CORRUPT", /zip entry m\/deflated claims 4294967280 bytes from \d+ deflated bytes, more than deflate can produce/);
  } finally {
    await file.close();
  }

  // ...or more than it inflates to
  const short = join(dir, "short.zip");
  const longer = Buffer.from(pristine);
  longer.writeUInt32LE(120001, centralEntryAt(longer, "m/deflated") + 24);
  writeFileSync(short, longer);
  await withZip(short, async (file, zip) => {
    const entry = zip.byName.get("m/deflated")!;
    await rejectsWith(entrySource(file, entry, short).read(), short, "CORRUPT", /inflates to 120000 bytes, but the directory says 120001/);
    await rejectsWith(verifyCrc(file, entry, short), short, "CORRUPT", /inflates to 120000 bytes/);
  });

  // damaged deflate data
  const garbled = join(dir, "garbled.zip");
  const broken = Buffer.from(pristine);
  const deflatedAt = await withZip(path, async (_file, zip) => zip.byName.get("m/deflated")!);
  broken.fill(0xff, deflatedAt.dataOffset, deflatedAt.dataOffset + 8);
  writeFileSync(garbled, broken);
  await withZip(garbled, async (file, zip) => {
    const entry = zip.byName.get("m/deflated")!;
    await rejectsWith(entrySource(file, entry, garbled).read(), garbled, "CORRUPT", /deflated data is damaged/);
    await rejectsWith(verifyCrc(file, entry, garbled), garbled, "CORRUPT", /deflated data is damaged/);
  });
});

test("broken archives: one CORRUPT or UNSUPPORTED line naming the problem", async () => {
  const dir = workdir();
  const { entries } = sample();
  const good = join(dir, "good.pt");
  await writeZipFile(good, entries);
  const pristine = readFileSync(good);
  const open = async (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const file = await RandomAccessFile.open(path);
    try {
      await readZip(file, path);
    } finally {
      await file.close();
    }
    return path;
  };
  const expect = async (name: string, bytes: Uint8Array, code: string, message: RegExp) =>
    rejectsWith(open(name, bytes), join(dir, name), code, message);
  const patched = (edit: (b: Buffer) => void) => {
    const copy = Buffer.from(pristine);
    edit(copy);
    return copy;
  };
  const eocd = pristine.length - 22;
  const central = centralEntryAt(pristine, "archive/data/2");

  await expect("empty.pt", new Uint8Array(0), "CORRUPT", /no end of central directory record: the zip is truncated or not a zip/);
  await expect("cut.pt", pristine.subarray(0, pristine.length - 10), "CORRUPT", /no end of central directory record/);
  await expect("head-only.pt", pristine.subarray(0, 200), "CORRUPT", /no end of central directory record/);
  await expect("noise.pt", randomBytes(5000).fill(0, 0, 1), "CORRUPT", /no end of central directory record/);
  // the zip64 record says the directory is elsewhere or bigger than the file
  await expect("cd-size.pt", patched((b) => b.writeBigUInt64LE(1n << 40n, eocd - 76 + 40)), "CORRUPT", /central directory .* runs past/);
  await expect("count.pt", patched((b) => b.writeBigUInt64LE(1n << 30n, eocd - 76 + 32)), "CORRUPT", /claims 1073741824 entries/);
  await expect("cd-padded.pt", patched((b) => b.writeBigUInt64LE(0n, eocd - 76 + 32)), "CORRUPT", /central directory claims \d+ bytes, more than its 0 entries can fill/);
  await expect("locator.pt", patched((b) => b.writeBigUInt64LE(1n << 50n, eocd - 20 + 8)), "CORRUPT", /locator points outside the file/);
  await expect("signature.pt", patched((b) => b.writeUInt32LE(0x12345678, central)), "CORRUPT", /central directory entry 4 is damaged/);
  await expect("method.pt", patched((b) => b.writeUInt16LE(12, central + 10)), "UNSUPPORTED", /zip entry archive\/data\/2 uses compression method 12/);
  await expect("encrypted.pt", patched((b) => b.writeUInt16LE(0x0809, central + 8)), "UNSUPPORTED", /zip entry archive\/data\/2 is encrypted/);
  await expect("offset.pt", patched((b) => b.writeUInt32LE(100, central + 42)), "CORRUPT", /zip entry archive\/data\/2: no local header at offset 100/);
  await expect("far-offset.pt", patched((b) => b.writeUInt32LE(0xfffffff0, central + 42)), "CORRUPT", /local header offset 4294967280 lies outside/);
  await expect("saturated.pt", patched((b) => b.writeUInt32LE(0xffffffff, central + 24)), "CORRUPT", /no zip64 extra field/);
  await expect("size.pt", patched((b) => {
    b.writeUInt32LE(random.byteLength + 64, central + 20);
    b.writeUInt32LE(random.byteLength + 64, central + 24);
  }), "CORRUPT", /zip entry archive\/data\/2: its 102464 bytes at offset \d+ overlap the next entry \(archive\/données\/é, at offset \d+\)/);
  const last = centralEntryAt(pristine, "archive/version");
  await expect("last-size.pt", patched((b) => {
    b.writeUInt32LE(1000, last + 20);
    b.writeUInt32LE(1000, last + 24);
  }), "CORRUPT", /zip entry archive\/version: its 1000 bytes at offset \d+ run past the entries' area \(which ends at \d+\); the zip is truncated or damaged/);
  await expect("stored-sizes.pt", patched((b) => b.writeUInt32LE(5, central + 20)), "CORRUPT", /is stored but its compressed size 5 differs/);
  await expect("bad-utf8.pt", patched((b) => b.writeUInt8(0xff, central + 46)), "CORRUPT", /not valid UTF-8/);
  await expect("renamed.pt", patched((b) => b.write("X", central + 46, "latin1")), "CORRUPT", /local header names a different file/);
  // the bad fixture: a torch file whose central directory was cut off
  const truncated = join(FIXTURES, "bad", "truncated.pt");
  const file = await RandomAccessFile.open(truncated);
  try {
    await rejectsWith(readZip(file, truncated), truncated, "CORRUPT", /truncated/);
  } finally {
    await file.close();
  }
});

test("names without the UTF-8 flag are code page 437", async () => {
  const path = join(workdir(), "cp437.pt");
  await writeZipFile(path, [bytesEntry("archive/\u00e9", Uint8Array.of(1))]);
  const bytes = readFileSync(path);
  // rewrite the name as the single CP437 byte for é (0x82) in both headers, clearing the UTF-8 flag
  for (const at of [0, centralEntryAt(bytes, "archive/\u00e9")]) {
    const central = at !== 0;
    const nameAt = at + (central ? 46 : 30);
    const flagsAt = at + (central ? 8 : 6);
    bytes.writeUInt16LE(0x0008, flagsAt);
    bytes[nameAt + 8] = 0x82;
    bytes[nameAt + 9] = 0x5f; // "_" keeps the length (é was two bytes in UTF-8)
  }
  writeFileSync(path, bytes);
  await withZip(path, async (_file, zip) => assert.equal(zip.entries[0]!.name, "archive/\u00e9_"));
});

const torchFiles = readdirSync(join(FIXTURES, "reference")).filter((f) => /\.(pt|ckpt)$/.test(f));

test("every torch fixture: folder prefix, data.pkl, aligned data, CRCs, same directory as Python sees", async (t) => {
  assert.equal(torchFiles.length, 6, torchFiles.join(", "));
  const withPython = hasPython(t);
  for (const name of torchFiles) {
    const path = join(FIXTURES, "reference", name);
    await withZip(path, async (file, zip) => {
      const folder = basename(name).replace(/\.[^.]+$/, "");
      assert.equal(zip.prefix, `${folder}/`, name);
      assert.ok(zip.byName.has(`${folder}/data.pkl`), name);
      assert.ok(zip.byName.has(`${folder}/version`), name);
      assert.ok(zip.entries.every((e) => e.name.startsWith(zip.prefix)));
      for (const entry of zip.entries) {
        assert.equal(entry.method, 0, entry.name);
        assert.equal(entry.dataOffset % 64, 0, `${name}: ${entry.name}`);
        // torch: data descriptor + UTF-8, except empty entries which get no descriptor
        assert.equal(entry.flags, entry.size === 0 ? 0x0800 : 0x0808, `${name}: ${entry.name}`);
        await verifyCrc(file, entry, path);
      }
      assert.equal(new TextDecoder().decode(await entrySource(file, zip.byName.get(`${folder}/version`)!, path).read()), "3\n");
      if (withPython) {
        const listing = JSON.parse(python(`
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    print(json.dumps([[i.filename, i.file_size, i.CRC, i.header_offset] for i in z.infolist()]))
`, path)) as [string, number, number, number][];
        assert.deepEqual(zip.entries.map((e: ZipEntry) => [e.name, e.size, e.crc32, e.localHeaderOffset]), listing);
      }
    });
  }
});

test("ckpt's rewrite of torch's own archive loads in torch", async (t) => {
  const { hasTorch } = await import("./oracle.js");
  if (!hasTorch(t)) return;
  const dir = workdir();
  const original = join(dir, "torch.pt");
  python(`
import sys, torch
torch.save({"w": torch.arange(12, dtype=torch.float32).reshape(3, 4), "empty": torch.zeros(0), "b": torch.tensor([1, 2], dtype=torch.int8)}, sys.argv[1])
`, original);
  const rewritten = join(dir, "rewritten.pt");
  await withZip(original, async (file, zip) => {
    const entries = zip.entries.map((entry) => ({ name: entry.name, size: entry.size, chunks: () => entrySource(file, entry, original).chunks() }));
    await writeZipFile(rewritten, entries);
  });
  const same = python(`
import sys, torch
a, b = torch.load(sys.argv[1]), torch.load(sys.argv[2])
print(a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a))
`, original, rewritten);
  assert.equal(same.trim(), "True");
});

test("more than 65535 entries: the count lives in the zip64 end record", async (t) => {
  const count = 65_536; // one more than a classic end record can count
  const entries = Array.from({ length: count }, (_, i) => bytesEntry(`many/${i}`, i % 1000 === 0 ? Buffer.from(String(i)) : new Uint8Array(0)));
  const path = join(workdir(), "many.zip");
  assert.equal(await writeZipFile(path, entries), zipLayout(entries).totalSize);
  const bytes = readFileSync(path);
  assert.equal(bytes.readUInt16LE(bytes.length - 22 + 10), 0xffff);
  await withZip(path, async (file, zip) => {
    assert.equal(zip.entries.length, count);
    const entry = zip.byName.get("many/65000")!;
    assert.equal(new TextDecoder().decode(await entrySource(file, entry, path).read()), "65000");
  });
  if (!hasPython(t)) return;
  assert.equal(python(`
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    print(len(z.infolist()), z.read("many/65000").decode())
`, path).trim(), `${count} 65000`);
});

test("zip64 layout math and header fields for an entry past 4 GiB", () => {
  const huge = 0x1_0000_0010;
  const entries: ZipWriteEntry[] = [
    bytesEntry("archive/data.pkl", new Uint8Array(100)),
    { name: "archive/data/0", size: huge, chunks: async function* () {} },
    bytesEntry("archive/version", Buffer.from("3\n")),
  ];
  const layout = zipLayout(entries);
  const [pkl, big, version] = layout.entries as [typeof layout.entries[0], typeof layout.entries[0], typeof layout.entries[0]];
  assert.equal(pkl.zip64Sizes || pkl.zip64Offset, false);
  assert.equal(big.zip64Sizes, true);
  assert.equal(big.zip64Offset, false);
  assert.equal(big.descriptorSize, 24);
  // 30 + name + zip64 extra (4 + 16) + FB extra (4 + padding), padded to 64
  assert.equal(big.localHeaderSize, 30 + 14 + 20 + 4 + big.padding);
  assert.equal(big.dataOffset % 64, 0);
  assert.equal(version.localHeaderOffset, big.dataOffset + huge + 24);
  assert.equal(version.zip64Offset, true);
  assert.equal(version.zip64Sizes, false);
  assert.equal(version.descriptorSize, 16);
  assert.equal(layout.centralDirectoryOffset, version.dataOffset + 2 + 16);
  // central entries: 46 + name, + 4 + 16 (two sizes) for the big one, + 4 + 8 (offset) for the last
  assert.equal(layout.centralDirectorySize, 46 + 16 + (46 + 14 + 20) + (46 + 15 + 12));
  assert.equal(layout.totalSize, layout.centralDirectoryOffset + layout.centralDirectorySize + 56 + 20 + 22);

  const local = Buffer.from(localHeader(big));
  assert.equal(local.readUInt16LE(4), 45);
  assert.equal(local.readUInt16LE(6), 0x0808);
  assert.equal(local.readUInt32LE(18), 0xffffffff);
  assert.equal(local.readUInt32LE(22), 0xffffffff);
  assert.equal(local.readUInt16LE(28), 20 + 4 + big.padding);
  assert.equal(local.readUInt16LE(44), 0x0001);
  assert.equal(local.readUInt16LE(46), 16);
  assert.equal(local.readBigUInt64LE(48), 0n);
  assert.equal(local.readBigUInt64LE(56), 0n);
  assert.equal(local.toString("latin1", 64, 66), "FB");

  const descriptor = Buffer.from(dataDescriptor(big, 0xdeadbeef));
  assert.deepEqual([descriptor.readUInt32LE(0), descriptor.readUInt32LE(4), descriptor.readBigUInt64LE(8), descriptor.readBigUInt64LE(16)], [0x08074b50, 0xdeadbeef, BigInt(huge), BigInt(huge)]);

  const bigCentral = Buffer.from(centralHeader(big, 0xdeadbeef));
  assert.equal(bigCentral.readUInt32LE(20), 0xffffffff);
  assert.equal(bigCentral.readUInt32LE(24), 0xffffffff);
  assert.equal(bigCentral.readUInt32LE(42), big.localHeaderOffset);
  assert.equal(bigCentral.readUInt16LE(30), 20);
  assert.deepEqual([bigCentral.readUInt16LE(60), bigCentral.readUInt16LE(62), bigCentral.readBigUInt64LE(64), bigCentral.readBigUInt64LE(72)], [1, 16, BigInt(huge), BigInt(huge)]);

  const lastCentral = Buffer.from(centralHeader(version, 1));
  assert.equal(lastCentral.readUInt32LE(24), 2);
  assert.equal(lastCentral.readUInt32LE(42), 0xffffffff);
  assert.deepEqual([lastCentral.readUInt16LE(61), lastCentral.readUInt16LE(63), lastCentral.readBigUInt64LE(65)], [1, 8, BigInt(version.localHeaderOffset)]);

  const end = Buffer.from(endRecords(layout));
  assert.equal(end.readUInt32LE(0), 0x06064b50);
  assert.equal(end.readBigUInt64LE(4), 44n);
  assert.equal(end.readBigUInt64LE(32), 3n);
  assert.equal(end.readBigUInt64LE(40), BigInt(layout.centralDirectorySize));
  assert.equal(end.readBigUInt64LE(48), BigInt(layout.centralDirectoryOffset));
  assert.equal(end.readBigUInt64LE(56 + 8), BigInt(layout.zip64EndOffset));
  assert.equal(end.readUInt16LE(76 + 10), 3);
  assert.equal(end.readUInt32LE(76 + 12), layout.centralDirectorySize);
  assert.equal(end.readUInt32LE(76 + 16), 0xffffffff);
});

test("zip64 for real: a 4 GiB + 16 byte entry streamed into a sparse file, read by readZip and Python", async (t) => {
  const huge = 0x1_0000_0010;
  const zeros = new Uint8Array(64 << 20);
  const entries: ZipWriteEntry[] = [
    { name: "archive/data/0", size: huge, chunks: async function* () {
      for (let left = huge; left > 0; left -= zeros.byteLength) yield zeros.subarray(0, Math.min(left, zeros.byteLength));
    } },
    bytesEntry("archive/version", Buffer.from("3\n")),
  ];
  const path = join(workdir(), "zip64.pt");
  // Everything but the zero data is written; the zeros stay a hole, so nothing like 4 GiB hits the disk.
  const fd = openSync(path, "w");
  let position = 0;
  try {
    for await (const chunk of writeZip(entries)) {
      if (chunk.buffer !== zeros.buffer) writeSync(fd, chunk, 0, chunk.byteLength, position);
      position += chunk.byteLength;
    }
    ftruncateSync(fd, position);
  } finally {
    closeSync(fd);
  }
  const layout = zipLayout(entries);
  assert.equal(position, layout.totalSize);
  assert.equal(statSync(path).size, layout.totalSize);
  assert.ok(statSync(path).blocks * 512 < 16 << 20, "the file is sparse");

  const zerosCrc = 0xc9eff1bd; // CRC-32 of 0x1_0000_0010 zero bytes (Python checks it below)
  await withZip(path, async (file, zip) => {
    const [big, version] = zip.entries as [ZipEntry, ZipEntry];
    assert.equal(big.size, huge);
    assert.equal(big.compressedSize, huge);
    assert.equal(big.dataOffset, layout.entries[0]!.dataOffset);
    assert.equal(big.crc32, zerosCrc);
    assert.ok(version.localHeaderOffset > 0xffffffff);
    assert.equal(version.localHeaderOffset, layout.entries[1]!.localHeaderOffset);
    assert.equal(version.dataOffset % 64, 0);
    assert.equal(new TextDecoder().decode(await entrySource(file, version, path).read()), "3\n");
    await verifyCrc(file, version, path);
    const descriptor = Buffer.from(await file.read(big.dataOffset + huge, 24));
    assert.deepEqual([descriptor.readUInt32LE(0), descriptor.readUInt32LE(4), descriptor.readBigUInt64LE(8), descriptor.readBigUInt64LE(16)], [0x08074b50, zerosCrc, BigInt(huge), BigInt(huge)]);
    const head = Buffer.from(await file.read(big.dataOffset + huge - 8, 8));
    assert.ok(head.every((b) => b === 0));
  });

  if (!hasPython(t)) return;
  const seen = JSON.parse(python(`
import json, sys, zipfile, zlib
with zipfile.ZipFile(sys.argv[1]) as z:
    crc, block, left = 0, bytes(1 << 26), ${huge}
    while left:
        n = min(left, len(block)); crc = zlib.crc32(block[:n], crc); left -= n
    print(json.dumps({"infos": [[i.filename, i.file_size, i.compress_size, i.CRC, i.header_offset] for i in z.infolist()], "zeros_crc": crc, "version": z.read("archive/version").decode()}))
`, path)) as { infos: [string, number, number, number, number][]; zeros_crc: number; version: string };
  assert.equal(seen.zeros_crc, zerosCrc);
  assert.equal(seen.version, "3\n");
  assert.deepEqual(seen.infos, [
    ["archive/data/0", huge, huge, zerosCrc, 0],
    ["archive/version", 2, 2, crc32(Buffer.from("3\n")), layout.entries[1]!.localHeaderOffset],
  ]);
  if (existsSync(UNZIP)) {
    const run = spawnSync(UNZIP, ["-p", path, "archive/version"], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, "3\n");
  }
});

