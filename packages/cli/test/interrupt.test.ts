import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CKPT_BIN } from "./run-cli.js";

/** A safetensors file of one incompressible f32 tensor: slow enough to compress at level 19 that a signal lands mid-write. */
function writeLargeSafetensors(path: string, elements: number): void {
  let header = JSON.stringify({ w: { dtype: "F32", shape: [elements], data_offsets: [0, elements * 4] } });
  header += " ".repeat((8 - (header.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(path, Buffer.concat([length, Buffer.from(header), randomBytes(elements * 4)]));
}

test("Ctrl-C mid-conversion removes the temp file, leaves no destination and exits 130", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ckpt-interrupt-"));
  const src = join(dir, "big.safetensors");
  writeLargeSafetensors(src, 16 << 20); // 64 MiB
  const child = spawn(process.execPath, [CKPT_BIN, "convert", src, join(dir, "big.thalia.zst"), "--level", "19"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, "exit");

  const deadline = Date.now() + 30_000;
  while (!readdirSync(dir).some((name) => name.endsWith(".ckpt-tmp"))) {
    assert.ok(Date.now() < deadline, `no temp file appeared; stderr: ${stderr}`);
    assert.equal(child.exitCode, null, `ckpt ended before it was interrupted; stderr: ${stderr}`);
    await sleep(20);
  }
  child.kill("SIGINT");
  const [code] = await exited;

  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted \(SIGINT\); temporary files removed/);
  assert.deepEqual(readdirSync(dir), ["big.safetensors"]);
});
