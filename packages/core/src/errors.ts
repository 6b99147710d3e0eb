/**
 * Every failure ckpt reports is a CkptError: a stable `code` for scripts, a one-line
 * message that names the file and the problem, and a documented process exit code.
 */
export const ERROR_CODES = {
  USAGE: 2,
  NOT_FOUND: 3,
  UNKNOWN_FORMAT: 4,
  PLUGIN_MISSING: 5,
  PLUGIN_INCOMPATIBLE: 6,
  CORRUPT: 7,
  UNSAFE: 8,
  UNSUPPORTED: 9,
  CHECKSUM: 10,
  EXISTS: 11,
  LIMIT: 12,
  MIGRATION: 13,
  IO: 14,
  INVALID: 1,
  INTERNAL: 70,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class CkptError extends Error {
  override readonly name = "CkptError";
  readonly code: ErrorCode;
  /** The file the problem is about, when there is one. */
  readonly file: string | undefined;

  constructor(code: ErrorCode, message: string, options: { file?: string; cause?: unknown } = {}) {
    // "brain.pt: problem", unless the message already leads with the file's name.
    const text = options.file && !message.startsWith(options.file) ? `${options.file}: ${message}` : message;
    super(text, { cause: options.cause });
    this.code = code;
    this.file = options.file;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code];
  }

  /** The same error, now naming `file` (for errors raised below the layer that knows the path). */
  withFile(file: string): CkptError {
    if (this.file) return this;
    return new CkptError(this.code, this.message, { file, cause: this.cause ?? this });
  }
}

/** Shorthand used by readers: a structural problem in the bytes of a file. */
export function corrupt(message: string, file?: string): CkptError {
  return new CkptError("CORRUPT", message, file === undefined ? {} : { file });
}

/** Wraps anything thrown into a CkptError that names `file`. */
export function asCkptError(error: unknown, file?: string): CkptError {
  if (error instanceof CkptError) return file ? error.withFile(file) : error;
  const errno = error as NodeJS.ErrnoException;
  const opts = file === undefined ? { cause: error } : { file, cause: error };
  if (errno?.code === "ENOENT") return new CkptError("NOT_FOUND", "no such file", opts);
  if (errno?.code === "EACCES" || errno?.code === "EPERM") return new CkptError("IO", "permission denied", opts);
  if (errno?.code === "EISDIR") return new CkptError("IO", "is a directory", opts);
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new CkptError("LIMIT", "structure nested too deeply", opts);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CkptError("INTERNAL", message.split("\n")[0] ?? "unknown error", opts);
}
