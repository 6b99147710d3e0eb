import { CkptError, OrderedMap, type Key, type Node } from "@ckpt/core";
import { argError, expectCount, expectSequence, expectStr } from "./args.js";
import type { CallContext, KnownGlobal } from "./globals.js";
import { latin1Bytes } from "./text.js";
import { GlobalRef, PendingObject, PySet, isKey, aKind, type Value } from "./values.js";
import { printable } from "./printable.js";

/**
 * Harmless Python globals that real checkpoints use, interpreted by this reader.
 * None of them runs anything: each builds a model value from its arguments.
 */

function dictFrom(ctx: CallContext, target: Map<Key, Value>, source: Value | undefined): Map<Key, Value> {
  if (source === undefined) return target;
  if (source instanceof Map) {
    for (const [key, value] of source as Map<Key, Value>) target.set(key, value);
    return target;
  }
  for (const pair of expectSequence(ctx, source, "the items")) {
    const [key, value] = expectSequence(ctx, pair, "an item");
    if (key === undefined || value === undefined || !isKey(key)) throw argError(ctx, `an item that is not a (key, value) pair`);
    target.set(key, value);
  }
  return target;
}

/** collections.OrderedDict → OrderedMap (BUILD state becomes its `attributes`). */
const orderedDict: KnownGlobal = {
  call(args, ctx) {
    expectCount(ctx, args, 0, 1);
    return dictFrom(ctx, new OrderedMap() as Map<Key, Value>, args[0]) as OrderedMap;
  },
  newObject() {
    return new OrderedMap();
  },
};

/** collections.Counter → a plain map of its counts (the class is not kept). */
const counter: KnownGlobal = {
  call(args, ctx) {
    expectCount(ctx, args, 0, 1);
    return dictFrom(ctx, new Map(), args[0]) as Map<Key, Node>;
  },
  newObject() {
    return new Map();
  },
};

function setOf(frozen: boolean): KnownGlobal {
  return {
    call(args, ctx) {
      expectCount(ctx, args, 0, 1);
      return new PySet(args.length === 0 ? [] : [...expectSequence(ctx, args[0], "the items")], frozen);
    },
    newObject() {
      return new PySet([], frozen);
    },
  };
}

/** `_codecs.encode(text, encoding)`: how protocols 0–2 write Python 3 bytes. */
function encodeText(ctx: CallContext, text: string, encoding: string): Uint8Array {
  const name = encoding.toLowerCase().replace(/[-_ ]/g, "");
  if (name === "latin1" || name === "iso88591" || name === "l1") return latin1Bytes(text, `pickle calls ${ctx.name}`);
  if (name === "utf8") return new TextEncoder().encode(text);
  if (name === "ascii") {
    if ([...text].some((ch) => ch.charCodeAt(0) > 0x7f)) throw argError(ctx, "non-ASCII text for the ascii codec");
    return latin1Bytes(text, `pickle calls ${ctx.name}`);
  }
  throw new CkptError("UNSUPPORTED", `pickle calls ${ctx.name} with the ${printable(encoding)} codec, which ckpt does not decode`);
}

const codecsEncode: KnownGlobal = {
  call(args, ctx) {
    expectCount(ctx, args, 1, 2);
    const text = expectStr(ctx, args[0], "the text");
    return encodeText(ctx, text, args.length > 1 ? expectStr(ctx, args[1], "the encoding") : "utf-8");
  },
};

/** bytes(...) / bytearray(...) → bytes (the model has one bytes kind). */
const bytesLike: KnownGlobal = {
  call(args, ctx) {
    expectCount(ctx, args, 0, 3);
    const [source, encoding] = args;
    if (source === undefined) return new Uint8Array();
    if (source instanceof Uint8Array) return source;
    if (typeof source === "string") return encodeText(ctx, source, expectStr(ctx, encoding, "the encoding"));
    if (typeof source === "bigint") {
      if (source < 0n || source > 1n << 32n) throw argError(ctx, `a size of ${source}`);
      return new Uint8Array(Number(source));
    }
    const items = expectSequence(ctx, source, "the bytes");
    return Uint8Array.from(items, (item) => {
      if (typeof item !== "bigint" || item < 0n || item > 255n) throw argError(ctx, `${aKind(item)} among the bytes`);
      return Number(item);
    });
  },
  newObject() {
    return new Uint8Array();
  },
};

/** complex(re, im) → an opaque `builtins.complex` holding its two floats. */
const complexNumber: KnownGlobal = {
  call(args, ctx) {
    expectCount(ctx, args, 0, 2);
    for (const part of args) {
      if (typeof part !== "number" && typeof part !== "bigint") throw argError(ctx, `${aKind(part)} as a part`);
    }
    return new PendingObject("builtins.complex", args, "reduce");
  },
};

/** A class that may be named (as an argument) but is never instantiated by itself. */
export const CLASS_MARKER: KnownGlobal = {};

/**
 * `copyreg._reconstructor(cls, object, None)`: how protocols 0–1 write an object of
 * a plain class; the class must itself be known or allowed, and the result is the
 * same opaque object NEWOBJ would give.
 */
const reconstructor: KnownGlobal = {
  call(args, ctx) {
    expectCount(ctx, args, 3);
    const [cls, base, state] = args;
    if (!(cls instanceof GlobalRef)) throw argError(ctx, `${aKind(cls!)} as the class`);
    if (!(base instanceof GlobalRef) || base.qualifiedName !== "builtins.object" || state !== null) {
      throw new CkptError("UNSUPPORTED", `pickle rebuilds ${cls.qualifiedName} from a built-in base type, which ckpt does not support`);
    }
    if (cls.known?.newObject) return cls.known.newObject([], undefined, ctx);
    if (cls.known) throw new CkptError("UNSUPPORTED", `pickle creates an object of ${cls.qualifiedName}, which ckpt does not know how to rebuild`);
    return new PendingObject(cls.qualifiedName, [], "newobj");
  },
};

/** The Python part of every table: containers, bytes, sets, complex. */
export const PYTHON_GLOBALS: ReadonlyMap<string, KnownGlobal> = new Map<string, KnownGlobal>([
  ["collections.OrderedDict", orderedDict],
  ["collections.Counter", counter],
  ["builtins.set", setOf(false)],
  ["builtins.frozenset", setOf(true)],
  ["builtins.bytes", bytesLike],
  ["builtins.bytearray", bytesLike],
  ["builtins.complex", complexNumber],
  ["builtins.object", CLASS_MARKER],
  ["_codecs.encode", codecsEncode],
  ["copyreg._reconstructor", reconstructor],
]);
