import { CkptError, type Key, type Node } from "@ckpt/core";
import type { UnpickleOptions } from "./options.js";
import { GlobalRef, type Value } from "./values.js";
import { printable } from "./printable.js";

/** What a known global's hooks get besides their arguments. */
export interface CallContext {
  /** The global's qualified name ("torch._utils._rebuild_tensor_v2"), for messages. */
  readonly name: string;
  /** The options this pickle is read with (a hook that parses a nested pickle passes them on). */
  readonly options: UnpickleOptions;
  /** A value in its final model form now, with the same checks as the end of the pickle. */
  toNode(value: Value): Node;
}

/**
 * One entry of a known-globals table: what the reader itself does when a pickle
 * names this global. Nothing is imported or called in any Python sense; each hook
 * is this package's own code building model values. A hook that is missing means
 * the pickle may mention the global but not use it that way.
 */
export interface KnownGlobal {
  /** REDUCE (and INST/OBJ with arguments): `global(*args)`. */
  call?(args: Value[], ctx: CallContext): Value;
  /** NEWOBJ / NEWOBJ_EX (and INST/OBJ without arguments): `cls.__new__(cls, *args, **kwargs)`. */
  newObject?(args: Value[], kwargs: Map<Key, Value> | undefined, ctx: CallContext): Value;
  /** The global itself as data (a dtype stored in a config). Default: an opaque "global" object. */
  asNode?(qualifiedName: string): Node;
}

/** Known globals by qualified name ("collections.OrderedDict"). */
export type GlobalTable = ReadonlyMap<string, KnownGlobal>;

/** Python 2 module names that Python 3's unpickler maps for protocols < 3 (fix_imports). */
const PY2_MODULES: Record<string, string> = {
  __builtin__: "builtins",
  copy_reg: "copyreg",
  exceptions: "builtins",
};

/**
 * Resolves a GLOBAL / STACK_GLOBAL: a known global (interpreted by its table entry),
 * an allowed one (kept as data, never called), or refused by name.
 */
export function resolveGlobal(
  module: string,
  name: string,
  protocol: number,
  table: GlobalTable,
  allowed: ReadonlySet<string>,
): GlobalRef {
  const written = `${module}.${name}`;
  const qualified = protocol < 3 && module in PY2_MODULES ? `${PY2_MODULES[module]}.${name}` : written;
  const known = table.get(qualified) ?? table.get(written);
  if (known) return new GlobalRef(qualified, known);
  if (allowed.has(qualified) || allowed.has(written)) return new GlobalRef(qualified, undefined);
  throw new CkptError(
    "UNSAFE",
    `pickle refers to ${printable(written)}, which ckpt will not run (allow it as data with --allow-global ${printable(written)})`,
  );
}
