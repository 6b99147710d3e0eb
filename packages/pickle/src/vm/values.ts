import { OpaqueObject, Tensor, Tuple, type Key, type Node } from "@ckpt/core";
import type { KnownGlobal } from "./globals.js";

/**
 * Something the VM holds that is not a model node yet: a global reference, an object
 * under construction, a torch storage. When the pickle ends each one is converted
 * once, by identity (so shared references stay shared), after its children.
 */
export abstract class PickleValue {
  /** How messages name it: "global torch.float32", "torch storage 0". */
  abstract describe(): string;

  /** The values inside it, converted before it (in this order). */
  children(): readonly Value[] {
    return [];
  }

  /** Its model form, given its children already converted (same order as `children()`). */
  abstract toNode(children: Node[]): Node;

  /** BUILD with `state`; objects that cannot take state keep this default. */
  build(_state: Value): void {
    throw new Error("no BUILD");
  }

  get canBuild(): boolean {
    return false;
  }
}

/** What lives on the VM's stack and in its memo. */
export type Value = Node | PickleValue;

/** A GLOBAL / STACK_GLOBAL: known (interpreted by its handler) or allowed (kept as data). */
export class GlobalRef extends PickleValue {
  constructor(
    /** "module.name" after Python 2 → 3 module renames (`__builtin__` → `builtins`). */
    readonly qualifiedName: string,
    /** Its entry in the known-globals table; undefined for a global the caller allowed. */
    readonly known: KnownGlobal | undefined,
  ) {
    super();
  }

  describe(): string {
    return `global ${this.qualifiedName}`;
  }

  toNode(): Node {
    return this.known?.asNode?.(this.qualifiedName) ?? new OpaqueObject(this.qualifiedName, [], undefined, "global");
  }
}

/**
 * An object of a class the reader does not interpret (an allowed global, a set, a
 * torch.device): class path, arguments and BUILD state, becoming a core OpaqueObject.
 * `variant` says which opcodes made it ("reduce", "newobj", "newobj_ex") so a writer
 * can emit the same ones.
 */
export class PendingObject extends PickleValue {
  state: Value | undefined = undefined;

  constructor(
    readonly className: string,
    readonly args: Value[],
    readonly variant: string,
  ) {
    super();
  }

  describe(): string {
    return `object ${this.className}`;
  }

  override children(): readonly Value[] {
    return this.state === undefined ? this.args : [...this.args, this.state];
  }

  toNode(children: Node[]): Node {
    const args = children.slice(0, this.args.length);
    const state = this.state === undefined ? undefined : children[this.args.length];
    return new OpaqueObject(this.className, args, state, this.variant);
  }

  override get canBuild(): boolean {
    return true;
  }

  override build(state: Value): void {
    // A second BUILD (rare) adds to the first when both are dicts, as setstate would
    // (into a new map: the first state may be shared through the memo).
    if (this.state instanceof Map && state instanceof Map) {
      this.state = new Map([...(this.state as Map<Key, Value>), ...(state as Map<Key, Value>)]) as Map<Key, Node>;
    } else {
      this.state = state;
    }
  }
}

/** A Python set or frozenset (EMPTY_SET/ADDITEMS/FROZENSET or `builtins.set(...)`). */
export class PySet extends PickleValue {
  constructor(
    readonly items: Value[],
    readonly frozen: boolean,
  ) {
    super();
  }

  describe(): string {
    return this.frozen ? "frozenset" : "set";
  }

  override children(): readonly Value[] {
    return this.items;
  }

  /** The model has no set kind: an opaque `builtins.set` whose one argument is the item list. */
  toNode(children: Node[]): Node {
    return new OpaqueObject(this.frozen ? "builtins.frozenset" : "builtins.set", [children], undefined, "reduce");
  }
}

/** A tuple of VM values (they become nodes in place when the pickle ends). */
export function makeTuple(items: Value[]): Tuple {
  return new Tuple(items as Node[]);
}

/** Is `value` a kind the model accepts as a map key? */
export function isKey(value: Value): value is Key {
  return value === null || value instanceof Tuple || ["string", "bigint", "number", "boolean"].includes(typeof value);
}

/** A short name of a value's kind for messages: "int", "list", "global torch.float32". */
export function kindName(value: Value): string {
  if (value === null) return "None";
  switch (typeof value) {
    case "boolean": return "bool";
    case "bigint": return "int";
    case "number": return "float";
    case "string": return "str";
  }
  if (value instanceof PickleValue) return value.describe();
  if (value instanceof Tensor) return "tensor";
  if (value instanceof Map) return "dict";
  if (Array.isArray(value)) return "list";
  if (value instanceof Tuple) return "tuple";
  if (value instanceof Uint8Array) return "bytes";
  if (value instanceof OpaqueObject) return `object ${value.className}`;
  return "value";
}

/** `kindName` with its article, for messages: "an int", "a list". */
export function aKind(value: Value): string {
  const name = kindName(value);
  return `${/^[aeiouAEIOU]/.test(name) ? "an" : "a"} ${name}`;
}
