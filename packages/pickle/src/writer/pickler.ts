import { OpaqueObject, OrderedMap, Tensor, Tuple, type Key, type Node } from "@ckpt/core";
import { OP } from "../vm/opcodes.js";
import { Emitter } from "./emitter.js";

/** Something the pickler writes: a model node, or a step that emits its own opcodes. */
export type Item = Node | Emit;
/** Emits opcodes that leave exactly one value on the unpickler's stack. */
export type Emit = (pickler: Pickler) => void;

/** Writes a tensor, leaving it on the stack; returns the memo index it was put under. */
export type TensorWriter = (tensor: Tensor, pickler: Pickler) => number;

// CPython batches APPENDS/SETITEMS by this many items.
const BATCH = 1000;

/**
 * Writes a model tree as a protocol-2 pickle with the opcodes CPython's own pickler
 * uses. Every container, string, tensor and object is memoized by identity, so a
 * value shared in the tree is written once and shared again when unpickled.
 * Tensors are written by the caller's `writeTensor` (the torch layer).
 */
export class Pickler {
  readonly out = new Emitter();
  private readonly memo = new Map<unknown, number>();
  private readonly globals = new Map<string, number>();
  private nextMemo = 0;

  constructor(private readonly writeTensor: TensorWriter) {}

  dump(root: Node): Uint8Array {
    this.out.proto(2);
    this.save(root);
    this.out.op(OP.STOP);
    return this.out.result();
  }

  save(item: Item): void {
    if (typeof item === "function") {
      item(this);
      return;
    }
    const node = item;
    if (node === null) return this.out.op(OP.NONE);
    switch (typeof node) {
      case "boolean": return this.out.op(node ? OP.NEWTRUE : OP.NEWFALSE);
      case "bigint": return this.out.int(node);
      case "number": return this.out.float(node);
      case "string": return this.memoized(node, () => this.out.str(node));
    }
    if (this.reuse(node)) return;
    if (node instanceof Tensor) this.memo.set(node, this.writeTensor(node, this));
    else if (node instanceof Uint8Array) this.memo.set(node, this.bytes(node));
    else if (Array.isArray(node)) this.list(node);
    else if (node instanceof Tuple) this.tuple(node);
    else if (node instanceof Map) this.dict(node);
    else if (node instanceof OpaqueObject) this.object(node);
    else throw new TypeError(`cannot pickle ${Object.prototype.toString.call(node)}`);
  }

  /** `GLOBAL module name` for a dotted name (memoized, as CPython memoizes classes). */
  global(qualifiedName: string): void {
    const known = this.globals.get(qualifiedName);
    if (known !== undefined) return this.out.get(known);
    const dot = qualifiedName.lastIndexOf(".");
    if (dot <= 0) throw new TypeError(`cannot pickle a reference to ${qualifiedName}: it needs a module`);
    this.out.global(qualifiedName.slice(0, dot), qualifiedName.slice(dot + 1));
    this.globals.set(qualifiedName, this.put());
  }

  /**
   * A tuple of items (EMPTY_TUPLE, TUPLE1–3, or MARK … TUPLE); returns its memo
   * index, or undefined for the empty tuple, which CPython does not memoize.
   */
  tupleOf(items: readonly Item[]): number | undefined {
    if (items.length === 0) {
      this.out.op(OP.EMPTY_TUPLE);
      return undefined;
    }
    if (items.length > 3) this.out.op(OP.MARK);
    for (const item of items) this.save(item);
    this.out.op(items.length > 3 ? OP.TUPLE : [OP.TUPLE1, OP.TUPLE2, OP.TUPLE3][items.length - 1]!);
    return this.put();
  }

  /** `callable(*args)` through REDUCE; returns the result's memo index. */
  reduce(callable: string, args: readonly Item[]): number {
    this.global(callable);
    this.tupleOf(args);
    this.out.op(OP.REDUCE);
    return this.put();
  }

  /** Records the value just written under the next memo index (BINPUT). */
  put(): number {
    const index = this.nextMemo++;
    this.out.put(index);
    return index;
  }

  private reuse(node: object): boolean {
    const index = this.memo.get(node);
    if (index === undefined) return false;
    this.out.get(index);
    return true;
  }

  private tuple(tuple: Tuple): void {
    const index = this.tupleOf(tuple.items);
    if (index !== undefined) this.memo.set(tuple, index);
  }

  private memoized(key: string, write: () => void): void {
    if (this.reuse(key as unknown as object)) return;
    write();
    this.memo.set(key, this.put());
  }

  /** Python 3 bytes in protocol 2, as CPython writes them: `_codecs.encode(latin-1 text, "latin1")`. */
  private bytes(data: Uint8Array): number {
    let text = "";
    for (let at = 0; at < data.byteLength; at += 8192) {
      text += String.fromCharCode(...data.subarray(at, at + 8192));
    }
    return this.reduce("_codecs.encode", [text, "latin1"]);
  }

  private list(items: Node[]): void {
    this.out.op(OP.EMPTY_LIST);
    this.memo.set(items, this.put());
    for (let at = 0; at < items.length; at += BATCH) {
      const batch = items.slice(at, at + BATCH);
      if (batch.length > 1) this.out.op(OP.MARK);
      for (const item of batch) this.save(item);
      this.out.op(batch.length > 1 ? OP.APPENDS : OP.APPEND);
    }
  }

  /** A dict; an OrderedMap is rebuilt as `collections.OrderedDict()` with its attributes as BUILD state. */
  private dict(map: Map<Key, Node>): void {
    if (map instanceof OrderedMap) {
      this.global("collections.OrderedDict");
      this.out.op(OP.EMPTY_TUPLE);
      this.out.op(OP.REDUCE);
    } else {
      this.out.op(OP.EMPTY_DICT);
    }
    this.memo.set(map, this.put());
    const entries = [...map];
    for (let at = 0; at < entries.length; at += BATCH) {
      const batch = entries.slice(at, at + BATCH);
      if (batch.length > 1) this.out.op(OP.MARK);
      for (const [key, value] of batch) {
        this.save(key);
        this.save(value);
      }
      this.out.op(batch.length > 1 ? OP.SETITEMS : OP.SETITEM);
    }
    if (map instanceof OrderedMap && map.attributes !== undefined && map.attributes.size > 0) this.build(map.attributes);
  }

  /**
   * An opaque object, written back with the opcodes it was read from (`variant`):
   * a bare class reference, `cls.__new__(cls, *args)` (NEWOBJ; also a Thalia
   * dataclass), NEWOBJ_EX with keyword arguments, or `callable(*args)` (REDUCE).
   */
  private object(obj: OpaqueObject): void {
    switch (obj.variant) {
      case "global":
        this.global(obj.className);
        this.memo.set(obj, this.globals.get(obj.className)!);
        return;
      case "newobj":
      case "dataclass":
        this.global(obj.className);
        this.tupleOf(obj.args);
        this.out.op(OP.NEWOBJ);
        break;
      case "newobj_ex": {
        const [args, kwargs] = obj.args;
        this.global(obj.className);
        this.save(args instanceof Tuple ? args : new Tuple([]));
        this.save(kwargs instanceof Map ? kwargs : new Map());
        this.out.op(OP.NEWOBJ_EX);
        break;
      }
      default:
        this.global(obj.className);
        this.tupleOf(obj.args);
        this.out.op(OP.REDUCE);
    }
    this.memo.set(obj, this.put());
    this.build(obj.state);
  }

  /** BUILD: sets `state` on the object on top of the stack. */
  build(state: Node | undefined): void {
    if (state === undefined) return;
    this.save(state);
    this.out.op(OP.BUILD);
  }
}
