import { CkptError } from "@ckpt/core";

/** A damaged, truncated or malformed zstd stream: one line, "zstd: <what>". */
export function zstdCorrupt(what: string, cause?: unknown): CkptError {
  return new CkptError("CORRUPT", `zstd: ${what}`, cause === undefined ? {} : { cause });
}

/** The first line of whatever was thrown, for messages that must stay on one line. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] ?? "unknown error";
}

const UNITS = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/** 268435456 → "256 MiB", 2^60 → "1 EiB": sizes from headers can be absurd, so keep them readable. */
export function formatBytes(n: number): string {
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${Number.isInteger(n) ? n : n.toFixed(1)} ${UNITS[unit]}`;
}
