import type { GlobalTable } from "./globals.js";
import type { Value } from "./values.js";
import type { PickleLimits } from "./limits.js";

export interface UnpickleOptions {
  /** The globals the reader interprets itself (see `PYTHON_GLOBALS`, and `TORCH_GLOBALS` in `/torch`). */
  globals: GlobalTable;
  /** Other globals to keep as opaque data ("module.Name"); never called. */
  allowGlobals?: Iterable<string>;
  /** PERSID / BINPERSID: turns a persistent id into a value. Without it a persistent id is an error. */
  persistentLoad?: (pid: Value) => Value;
  /** The file being read, for error messages. */
  fileName?: string;
  /** Overrides of the default limits. */
  limits?: Partial<PickleLimits>;
}
