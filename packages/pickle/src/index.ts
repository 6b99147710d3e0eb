/**
 * @ckpt/pickle — a pickle reader that imports and executes nothing. Every global a
 * pickle names is interpreted by a table of known globals, kept as opaque data when
 * the caller allows it, or refused by name. PyTorch's rebuild functions, storages and
 * the legacy torch.save format are in `@ckpt/pickle/torch`.
 */
export { loadPickle, parsePickle, runPickle, type PickleRun } from "./vm/machine.js";
export type { UnpickleOptions } from "./vm/options.js";
export type { CallContext, GlobalTable, KnownGlobal } from "./vm/globals.js";
export { DEFAULT_LIMITS, type PickleLimits } from "./vm/limits.js";
export { Finisher } from "./vm/finish.js";
export { GlobalRef, PendingObject, PickleValue, PySet, aKind, isKey, kindName, makeTuple, type Value } from "./vm/values.js";
export { PYTHON_GLOBALS, CLASS_MARKER } from "./vm/python-globals.js";
export { argError, expectBool, expectCount, expectCount64, expectInt, expectSequence, expectStr } from "./vm/args.js";
export { OP, HIGHEST_PROTOCOL } from "./vm/opcodes.js";
export { Pickler, type Item, type Emit, type TensorWriter } from "./writer/pickler.js";
export { encodeLong } from "./writer/emitter.js";
