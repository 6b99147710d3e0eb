import { createHash } from "node:crypto";
import { CkptError, FileRangeSource, type RandomAccessFile } from "@ckpt/core";
import { TRAILER_SIZE } from "../container/layout.js";

/** Checks the SHA-256 trailer over every byte before it; a mismatch names both digests. */
export async function verifyTrailer(file: RandomAccessFile, name: string): Promise<void> {
  if (file.size < TRAILER_SIZE) throw new CkptError("CORRUPT", `file is too short for a SHA-256 trailer (${file.size} bytes)`, { file: name });
  const hash = createHash("sha256");
  for await (const chunk of new FileRangeSource(file, 0, file.size - TRAILER_SIZE).chunks()) hash.update(chunk);
  const actual = hash.digest("hex");
  const stored = Buffer.from(await file.read(file.size - TRAILER_SIZE, TRAILER_SIZE)).toString("hex");
  if (actual !== stored) {
    throw new CkptError("CHECKSUM", `SHA-256 trailer mismatch: the file says ${stored}, its content hashes to ${actual} (--no-verify-checksum reads it anyway)`, { file: name });
  }
}
