import { CkptError } from "@ckpt/core";

export const LEVELS = { min: 1, max: 22, default: 3 } as const;

/** The level to compress at: 1–22, 3 when not given. */
export function checkLevel(level: number | undefined): number {
  if (level === undefined) return LEVELS.default;
  if (!Number.isInteger(level) || level < LEVELS.min || level > LEVELS.max) {
    throw new CkptError("USAGE", `zstd: level must be an integer from ${LEVELS.min} to ${LEVELS.max}, not ${level}`);
  }
  return level;
}

/** A pledged content size must be a byte count. */
export function checkContentSize(size: number | undefined): number | undefined {
  if (size !== undefined && (!Number.isSafeInteger(size) || size < 0)) {
    throw new CkptError("USAGE", `zstd: contentSize must be a whole number of bytes, not ${size}`);
  }
  return size;
}
