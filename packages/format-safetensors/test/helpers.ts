import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RandomAccessFile, Registry, TempScope, parsePythonJson, silentReporter, type Checkpoint, type PyMap } from "@ckpt/core";
import pt from "@ckpt/format-pt";
import thalia from "@ckpt/format-thalia";
import zstd from "@ckpt/compress-zstd";
import safetensors from "../src/index.js";

/** The shared fixtures: `../shared/fixtures` beside the repository (CKPT_FIXTURES overrides). */
export const FIXTURES = process.env.CKPT_FIXTURES ?? fileURLToPath(new URL("../../../../shared/fixtures/", import.meta.url));
export const reference = (name: string) => join(FIXTURES, "reference", name);
export const bad = (name: string) => join(FIXTURES, "bad", name);

export function expectation(path: string): PyMap {
  return parsePythonJson(readFileSync(`${path}.expect.json`, "utf8")) as PyMap;
}

export function registry(): Registry {
  return new Registry().use(pt).use(thalia).use(safetensors).use(zstd);
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "ckpt-safetensors-"));
}

/** Decodes a file with the plugin itself (no registry), closing it when `use` is done. */
export async function withDecoded<T>(path: string, use: (checkpoint: Checkpoint) => Promise<T>, options: Record<string, unknown> = {}): Promise<T> {
  const scope = new TempScope();
  try {
    const file = scope.adopt(await RandomAccessFile.open(path));
    const checkpoint = await safetensors.decode({
      file, name: path, options, reporter: silentReporter,
      spill: (c) => scope.spill(c),
      openOther: () => Promise.reject(new Error("not used")),
    });
    return await use(checkpoint);
  } finally {
    await scope.close();
  }
}

/** The whole output of the plugin's encoder, in one buffer. */
export async function encodeToBuffer(checkpoint: Checkpoint, name = "out.safetensors", options: Record<string, unknown> = {}): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of safetensors.encode(checkpoint, { name, options, reporter: silentReporter })) parts.push(chunk);
  return Buffer.concat(parts);
}

/** The header JSON of a safetensors buffer (header length read as u64). */
export function headerOf(bytes: Uint8Array): { n: number; json: PyMap } {
  const n = Number(Buffer.from(bytes).readBigUInt64LE(0));
  return { n, json: parsePythonJson(Buffer.from(bytes).subarray(8, 8 + n).toString("utf8")) as PyMap };
}
