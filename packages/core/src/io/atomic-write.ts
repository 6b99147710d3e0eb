import { open, rename, unlink, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { CkptError } from "../errors.js";
import { writeChunks } from "./write-chunks.js";
import { trackTemp } from "./interrupt-cleanup.js";

/**
 * Writes `chunks` to `destination` so that it either appears complete or not at all:
 * the bytes go to a temp file in the same folder, which is fsynced and then renamed.
 * On any failure the temp file is removed and the destination is untouched.
 * `beforeRename` runs on the complete, fsynced temp file (e.g. to read it back and
 * verify it); if it throws, the temp file is removed and nothing is renamed.
 */
export async function writeAtomically(
  destination: string,
  chunks: AsyncIterable<Uint8Array>,
  options: { force?: boolean; beforeRename?: (temp: string) => Promise<void> } = {},
): Promise<number> {
  if (!options.force && (await exists(destination))) {
    throw new CkptError("EXISTS", "already exists (use --force to overwrite)", { file: destination });
  }
  const folder = dirname(destination);
  if (!(await isFolder(folder))) throw new CkptError("NOT_FOUND", `cannot write here: the folder ${folder} does not exist`, { file: destination });
  const temp = join(folder, `.${basename(destination)}.${randomBytes(4).toString("hex")}.ckpt-tmp`);
  const untrack = trackTemp(temp);
  try {
    const handle = await open(temp, "wx", 0o644);
    let written: number;
    try {
      written = await writeChunks(handle, chunks);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await options.beforeRename?.(temp);
    await rename(temp, destination);
    return written;
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  } finally {
    untrack();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
