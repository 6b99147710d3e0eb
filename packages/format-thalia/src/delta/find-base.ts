import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { CkptError } from "@ckpt/core";

/**
 * The base checkpoint of a delta, found by its SHA-256 rather than by the path stored in
 * the delta (which is where it was on the machine that wrote it): the `base` option if
 * given (checked), else the stored name beside the delta, else any sibling Thalia file.
 */
export async function findBase(deltaPath: string, baseHash: string, storedPath: string | undefined, explicit: string | undefined): Promise<string> {
  if (explicit !== undefined) {
    const actual = await sha256(explicit);
    if (actual !== baseHash) throw new CkptError("CORRUPT", `the base ${explicit} has SHA-256 ${actual}, but the delta was made against ${baseHash}`, { file: deltaPath });
    return explicit;
  }
  const folder = dirname(resolve(deltaPath));
  const siblings = (await readdir(folder)).filter((name) => /\.thalia(\.(zst|lz4))?$/.test(name) && !name.endsWith(".delta.thalia")).sort();
  const preferred = storedPath ? basename(storedPath) : undefined;
  const ordered = preferred && siblings.includes(preferred) ? [preferred, ...siblings.filter((n) => n !== preferred)] : siblings;
  for (const name of ordered) {
    const path = join(folder, name);
    if ((await stat(path)).isFile() && (await sha256(path)) === baseHash) return path;
  }
  throw new CkptError("NOT_FOUND", `the delta's base (SHA-256 ${baseHash.slice(0, 16)}…, written as ${storedPath ?? "?"}) is not beside it; name it with -o base=PATH`, { file: deltaPath });
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
