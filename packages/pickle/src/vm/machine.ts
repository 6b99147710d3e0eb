import { CkptError, OrderedMap, Tuple, asCkptError, type Key, type Node } from "@ckpt/core";
import { Cursor } from "./cursor.js";
import { Finisher } from "./finish.js";
import { resolveGlobal, type CallContext } from "./globals.js";
import { resolveLimits, type PickleLimits } from "./limits.js";
import { decodeLong } from "./long.js";
import { HIGHEST_PROTOCOL, OP } from "./opcodes.js";
import type { UnpickleOptions } from "./options.js";
import {
  decodeRawUnicodeEscape,
  decodeUtf8,
  parseFloatText,
  parseIntOpcode,
  parseLongOpcode,
  parseMemoKey,
  parseStringLiteral,
  py2String,
} from "./text.js";
import { GlobalRef, PendingObject, PickleValue, PySet, isKey, aKind, kindName, makeTuple, type Value } from "./values.js";

/** One pickle run: its top-level value (not yet converted to a model node) and where it ended. */
export interface PickleRun {
  value: Value;
  /** Offset just past the STOP opcode. */
  end: number;
  protocol: number;
}

const latin1 = new TextDecoder("latin1");

/**
 * The unpickler: a loop over opcodes with an explicit stack, a mark stack and a memo.
 * It builds plain model values and never imports, evaluates or calls anything: a
 * global is either interpreted by the caller's table, kept as opaque data when the
 * caller allowed it, or refused by name.
 */
class Machine {
  private readonly stack: Value[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, Value>();
  private readonly limits: PickleLimits;
  private readonly allowed: ReadonlySet<string>;
  private protocol = 0;
  private opAt = 0;

  constructor(
    private readonly cursor: Cursor,
    private readonly options: UnpickleOptions,
  ) {
    this.limits = resolveLimits(options.limits);
    this.allowed = new Set(options.allowGlobals ?? []);
  }

  run(): PickleRun {
    const c = this.cursor;
    while (c.remaining > 0) {
      this.opAt = c.pos;
      const op = c.u8();
      switch (op) {
        case OP.PROTO: {
          const protocol = c.u8();
          if (protocol > HIGHEST_PROTOCOL) {
            throw new CkptError("UNSUPPORTED", `pickle protocol ${protocol} is newer than ckpt reads (0 to ${HIGHEST_PROTOCOL})`);
          }
          this.protocol = protocol;
          break;
        }
        case OP.FRAME: {
          const size = c.u64();
          if (size > c.remaining) throw new CkptError("CORRUPT", `pickle frame of ${size} bytes at byte ${this.opAt} runs past the end`);
          break;
        }
        case OP.STOP:
          return { value: this.pop(), end: c.pos, protocol: this.protocol };

        // stack and memo
        case OP.MARK:
          this.checkRoom();
          this.marks.push(this.stack.length);
          break;
        case OP.POP:
          if (this.stack.length > this.frameStart()) this.stack.pop();
          else this.popMark();
          break;
        case OP.POP_MARK:
          this.popMark();
          break;
        case OP.DUP:
          this.push(this.top());
          break;
        case OP.PUT:
          this.memoPut(parseMemoKey(c.line("a PUT argument")));
          break;
        case OP.BINPUT:
          this.memoPut(c.u8());
          break;
        case OP.LONG_BINPUT:
          this.memoPut(c.u32());
          break;
        case OP.MEMOIZE:
          this.memoPut(this.memo.size);
          break;
        case OP.GET:
          this.memoGet(parseMemoKey(c.line("a GET argument")));
          break;
        case OP.BINGET:
          this.memoGet(c.u8());
          break;
        case OP.LONG_BINGET:
          this.memoGet(c.u32());
          break;

        // scalars
        case OP.NONE:
          this.push(null);
          break;
        case OP.NEWTRUE:
          this.push(true);
          break;
        case OP.NEWFALSE:
          this.push(false);
          break;
        case OP.INT:
          this.push(parseIntOpcode(c.line("an INT argument"), this.limits.maxIntLength));
          break;
        case OP.BININT:
          this.push(BigInt(c.i32()));
          break;
        case OP.BININT1:
          this.push(BigInt(c.u8()));
          break;
        case OP.BININT2:
          this.push(BigInt(c.u16()));
          break;
        case OP.LONG:
          this.push(parseLongOpcode(c.line("a LONG argument"), this.limits.maxIntLength));
          break;
        case OP.LONG1:
          this.push(decodeLong(c.take(c.u8(), "a LONG1")));
          break;
        case OP.LONG4: {
          const size = c.i32();
          if (size > this.limits.maxIntLength) throw new CkptError("LIMIT", `pickle has a ${size}-byte LONG4 (limit ${this.limits.maxIntLength})`);
          this.push(decodeLong(c.take(size, "a LONG4")));
          break;
        }
        case OP.FLOAT:
          this.push(parseFloatText(c.line("a FLOAT argument")));
          break;
        case OP.BINFLOAT:
          this.push(c.f64be());
          break;

        // text and bytes
        case OP.STRING:
          this.push(py2String(parseStringLiteral(c.line("a STRING argument"))));
          break;
        case OP.BINSTRING:
          this.push(py2String(c.take(c.i32(), "a BINSTRING")));
          break;
        case OP.SHORT_BINSTRING:
          this.push(py2String(c.take(c.u8(), "a SHORT_BINSTRING")));
          break;
        case OP.UNICODE:
          this.push(decodeRawUnicodeEscape(c.line("a UNICODE argument")));
          break;
        case OP.SHORT_BINUNICODE:
          this.push(decodeUtf8(c.take(c.u8(), "a SHORT_BINUNICODE")));
          break;
        case OP.BINUNICODE:
          this.push(decodeUtf8(c.take(c.u32(), "a BINUNICODE")));
          break;
        case OP.BINUNICODE8:
          this.push(decodeUtf8(c.take(c.u64(), "a BINUNICODE8")));
          break;
        case OP.SHORT_BINBYTES:
          this.push(c.take(c.u8(), "a SHORT_BINBYTES"));
          break;
        case OP.BINBYTES:
          this.push(c.take(c.u32(), "a BINBYTES"));
          break;
        case OP.BINBYTES8:
          this.push(c.take(c.u64(), "a BINBYTES8"));
          break;
        case OP.BYTEARRAY8: // the model has one bytes kind
          this.push(c.take(c.u64(), "a BYTEARRAY8"));
          break;
        case OP.NEXT_BUFFER:
        case OP.READONLY_BUFFER:
          throw new CkptError("UNSUPPORTED", `pickle uses out-of-band buffers (protocol 5 ${op === OP.NEXT_BUFFER ? "NEXT_BUFFER" : "READONLY_BUFFER"}), which ckpt does not support`);

        // containers
        case OP.EMPTY_TUPLE:
          this.push(makeTuple([]));
          break;
        case OP.TUPLE1:
        case OP.TUPLE2:
        case OP.TUPLE3: {
          const n = op - OP.TUPLE1 + 1;
          const items: Value[] = [];
          for (let i = 0; i < n; i++) items.unshift(this.pop());
          this.push(makeTuple(items));
          break;
        }
        case OP.TUPLE:
          this.push(makeTuple(this.popMark()));
          break;
        case OP.EMPTY_LIST:
          this.push([]);
          break;
        case OP.LIST:
          this.push(this.popMark() as Node[]);
          break;
        case OP.APPEND: {
          const item = this.pop();
          this.append(this.top(), [item]);
          break;
        }
        case OP.APPENDS: {
          const items = this.popMark();
          this.append(this.top(), items);
          break;
        }
        case OP.EMPTY_DICT:
          this.push(new Map());
          break;
        case OP.DICT: {
          const dict = new Map<Key, Value>();
          this.setItems(dict as Map<Key, Node>, this.popMark());
          this.push(dict as Map<Key, Node>);
          break;
        }
        case OP.SETITEM: {
          const value = this.pop();
          const key = this.pop();
          this.setItems(this.top(), [key, value]);
          break;
        }
        case OP.SETITEMS: {
          const items = this.popMark();
          this.setItems(this.top(), items);
          break;
        }
        case OP.EMPTY_SET:
          this.push(new PySet([], false));
          break;
        case OP.ADDITEMS: {
          const items = this.popMark();
          const set = this.top();
          if (!(set instanceof PySet) || set.frozen) throw this.corrupt(`ADDITEMS on ${aKind(set)}`);
          set.items.push(...items);
          break;
        }
        case OP.FROZENSET:
          this.push(new PySet(this.popMark(), true));
          break;

        // globals and objects
        case OP.GLOBAL: {
          const module = decodeUtf8(c.line("a GLOBAL module"));
          const name = decodeUtf8(c.line("a GLOBAL name"));
          this.push(resolveGlobal(module, name, this.protocol, this.options.globals, this.allowed));
          break;
        }
        case OP.STACK_GLOBAL: {
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== "string" || typeof name !== "string") {
            throw this.corrupt(`STACK_GLOBAL needs two str, found ${kindName(module)} and ${kindName(name)}`);
          }
          this.push(resolveGlobal(module, name, this.protocol, this.options.globals, this.allowed));
          break;
        }
        case OP.REDUCE: {
          const args = this.pop();
          const callable = this.pop();
          this.push(this.call(callable, this.tupleItems(args, "REDUCE")));
          break;
        }
        case OP.NEWOBJ: {
          const args = this.pop();
          const cls = this.pop();
          this.push(this.newObject(cls, this.tupleItems(args, "NEWOBJ"), undefined));
          break;
        }
        case OP.NEWOBJ_EX: {
          const kwargs = this.pop();
          const args = this.pop();
          const cls = this.pop();
          if (!(kwargs instanceof Map)) throw this.corrupt(`NEWOBJ_EX keyword arguments are ${aKind(kwargs)}`);
          this.push(this.newObject(cls, this.tupleItems(args, "NEWOBJ_EX"), kwargs as Map<Key, Value>));
          break;
        }
        case OP.INST: {
          const module = decodeUtf8(c.line("an INST module"));
          const name = decodeUtf8(c.line("an INST name"));
          const args = this.popMark();
          this.push(this.instantiate(resolveGlobal(module, name, this.protocol, this.options.globals, this.allowed), args));
          break;
        }
        case OP.OBJ: {
          const items = this.popMark();
          if (items.length === 0) throw this.corrupt("OBJ without a class");
          this.push(this.instantiate(items[0]!, items.slice(1)));
          break;
        }
        case OP.BUILD: {
          const state = this.pop();
          this.build(this.top(), state);
          break;
        }
        case OP.PERSID:
          this.push(this.persistent(latin1.decode(c.line("a PERSID argument"))));
          break;
        case OP.BINPERSID:
          this.push(this.persistent(this.pop()));
          break;
        case OP.EXT1:
        case OP.EXT2:
        case OP.EXT4: {
          const code = op === OP.EXT1 ? c.u8() : op === OP.EXT2 ? c.u16() : c.i32();
          throw new CkptError("UNSUPPORTED", `pickle uses the copyreg extension registry (code ${code}), which ckpt does not have`);
        }
        default:
          throw this.corrupt(`unknown opcode 0x${op.toString(16).padStart(2, "0")}`);
      }
    }
    throw new CkptError("CORRUPT", "pickle ends without a STOP opcode");
  }

  private corrupt(message: string): CkptError {
    return new CkptError("CORRUPT", `pickle is malformed: ${message} at byte ${this.opAt}`);
  }

  private frameStart(): number {
    return this.marks.length > 0 ? this.marks[this.marks.length - 1]! : 0;
  }

  private checkRoom(): void {
    if (this.stack.length + this.marks.length >= this.limits.maxStack) {
      throw new CkptError("LIMIT", `pickle stack grows past ${this.limits.maxStack} values`);
    }
  }

  private push(value: Value): void {
    this.checkRoom();
    this.stack.push(value);
  }

  private pop(): Value {
    if (this.stack.length <= this.frameStart()) throw this.corrupt("stack underflow");
    return this.stack.pop()!;
  }

  private top(): Value {
    if (this.stack.length <= this.frameStart()) throw this.corrupt("stack underflow");
    return this.stack[this.stack.length - 1]!;
  }

  private popMark(): Value[] {
    const start = this.marks.pop();
    if (start === undefined) throw this.corrupt("no MARK to pop");
    return this.stack.splice(start);
  }

  private memoPut(key: number): void {
    if (!this.memo.has(key) && this.memo.size >= this.limits.maxMemo) {
      throw new CkptError("LIMIT", `pickle memo grows past ${this.limits.maxMemo} entries`);
    }
    this.memo.set(key, this.top());
  }

  private memoGet(key: number): void {
    const value = this.memo.get(key);
    if (value === undefined) throw this.corrupt(`memo entry ${key} was never stored`);
    // The same object, never a copy: shared references stay shared.
    this.push(value);
  }

  private tupleItems(value: Value, op: string): Value[] {
    // A copy: the tuple may be shared through the memo, and hooks may keep the array.
    if (value instanceof Tuple) return [...(value.items as Value[])];
    throw this.corrupt(`${op} arguments are ${aKind(value)}, not a tuple`);
  }

  private append(target: Value, items: Value[]): void {
    if (!Array.isArray(target)) {
      throw new CkptError("UNSUPPORTED", `pickle appends items to ${aKind(target)}, which ckpt cannot keep`);
    }
    for (const item of items) (target as Value[]).push(item);
  }

  private setItems(target: Value, items: Value[]): void {
    if (!(target instanceof Map)) {
      throw new CkptError("UNSUPPORTED", `pickle sets dict items on ${aKind(target)}, which ckpt cannot keep`);
    }
    if (items.length % 2 !== 0) throw this.corrupt("odd number of dict items");
    const map = target as Map<Key, Value>;
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i]!;
      if (!isKey(key)) {
        throw new CkptError("UNSUPPORTED", `pickle uses ${aKind(key)} as a dict key; checkpoint maps take str, int, float, bool, None or tuple keys`);
      }
      map.set(key, items[i + 1]!);
    }
  }

  private context(name: string): CallContext {
    return { name, options: this.options, toNode: (value) => new Finisher(this.limits).convert(value) };
  }

  private global(value: Value, action: string): GlobalRef {
    if (value instanceof GlobalRef) return value;
    throw new CkptError("UNSUPPORTED", `pickle ${action} ${aKind(value)}, which ckpt cannot do`);
  }

  private cannot(ref: GlobalRef, action: string): CkptError {
    return new CkptError("UNSUPPORTED", `pickle ${action} ${ref.qualifiedName}, which ckpt does not know how to rebuild`);
  }

  private call(callable: Value, args: Value[]): Value {
    const ref = this.global(callable, "calls");
    if (!ref.known) return new PendingObject(ref.qualifiedName, args, "reduce");
    if (!ref.known.call) throw this.cannot(ref, "calls");
    return ref.known.call(args, this.context(ref.qualifiedName));
  }

  private newObject(cls: Value, args: Value[], kwargs: Map<Key, Value> | undefined): Value {
    const ref = this.global(cls, "creates an object of");
    const extra = kwargs !== undefined && kwargs.size > 0;
    if (!ref.known) {
      return extra
        ? new PendingObject(ref.qualifiedName, [makeTuple(args), kwargs as Map<Key, Node>], "newobj_ex")
        : new PendingObject(ref.qualifiedName, args, "newobj");
    }
    if (!ref.known.newObject) throw this.cannot(ref, "creates an object of");
    return ref.known.newObject(args, extra ? kwargs : undefined, this.context(ref.qualifiedName));
  }

  /** INST / OBJ (protocols 0–1): `cls(*args)`, or `cls.__new__(cls)` without arguments. */
  private instantiate(cls: Value, args: Value[]): Value {
    const ref = this.global(cls, "creates an object of");
    if (args.length > 0 || (ref.known && !ref.known.newObject)) return this.call(ref, args);
    return this.newObject(ref, [], undefined);
  }

  private build(target: Value, state: Value): void {
    if (target instanceof PickleValue && target.canBuild) {
      target.build(state);
      return;
    }
    // Python's BUILD ignores an empty state on any object.
    if (state === null || (state instanceof Map && state.size === 0)) return;
    if (target instanceof OrderedMap) {
      // An OrderedDict's BUILD sets attributes (nn.Module's `_metadata`); a (dict, slots) pair is both.
      const parts = state instanceof Tuple && state.items.length === 2 ? (state.items as Value[]) : [state];
      for (const part of parts) {
        if (part === null) continue;
        if (!(part instanceof Map)) throw this.corrupt(`BUILD state of an OrderedDict is ${aKind(part)}`);
        target.attributes ??= new Map();
        for (const [key, value] of part as Map<Key, Value>) (target.attributes as Map<Key, Value>).set(key, value);
      }
      return;
    }
    throw new CkptError("UNSUPPORTED", `pickle sets attributes (BUILD) on ${aKind(target)}, which ckpt cannot keep`);
  }

  private persistent(pid: Value): Value {
    if (!this.options.persistentLoad) {
      throw new CkptError("UNSUPPORTED", "pickle refers to outside data by persistent id, which this reader cannot resolve");
    }
    return this.options.persistentLoad(pid);
  }
}

/**
 * Runs one pickle starting at `offset` and returns its value as the VM built it
 * (global references, storages and objects under construction not yet converted).
 * For readers that feed one pickle's result into another; most callers want `parsePickle`.
 */
export function runPickle(bytes: Uint8Array, offset: number, options: UnpickleOptions): PickleRun {
  return new Machine(new Cursor(bytes, offset), options).run();
}

/** Reads one pickle starting at `offset` (default 0): its model tree and the offset just past STOP. */
export function parsePickle(bytes: Uint8Array, options: UnpickleOptions & { offset?: number }): { root: Node; end: number } {
  try {
    const run = runPickle(bytes, options.offset ?? 0, options);
    return { root: new Finisher(resolveLimits(options.limits)).convert(run.value), end: run.end };
  } catch (error) {
    throw asCkptError(error, options.fileName);
  }
}

/** Reads the pickle at the start of `bytes` into a model tree. */
export function loadPickle(bytes: Uint8Array, options: UnpickleOptions): Node {
  return parsePickle(bytes, options).root;
}
