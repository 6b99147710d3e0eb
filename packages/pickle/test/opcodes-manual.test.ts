import { test } from "node:test";
import assert from "node:assert/strict";
import { CkptError, OpaqueObject, Tuple, type Node } from "@ckpt/core";
import { PYTHON_GLOBALS, loadPickle, parsePickle, type UnpickleOptions, type Value } from "../src/index.js";
import { pk } from "./helpers/pickle-bytes.js";

// Opcodes CPython 3 no longer writes (Python 2 strings, INST/OBJ, PERSID, EXT*) and malformed input.

const load = (bytes: Uint8Array | string, options: Partial<UnpickleOptions> = {}) =>
  loadPickle(typeof bytes === "string" ? pk(bytes) : bytes, { globals: PYTHON_GLOBALS, ...options });

function fails(bytes: Uint8Array | string, code: string, pattern: RegExp, options: Partial<UnpickleOptions> = {}): void {
  assert.throws(
    () => load(bytes, options),
    (error: unknown) => {
      assert.ok(error instanceof CkptError, `not a CkptError: ${String(error)}`);
      assert.equal(error.code, code, error.message);
      assert.match(error.message, pattern);
      assert.ok(!error.message.includes("\n"), "one-line message");
      return true;
    },
  );
}

test("Python 2 strings: STRING with escapes, BINSTRING, SHORT_BINSTRING; non-UTF-8 stays bytes", () => {
  assert.equal(load("S'a\\n\\x41\\101\\'q'\n."), "a\nAA'q");
  assert.equal(load('S"it\'s"\n.'), "it's");
  assert.deepEqual(load("S'\\xff\\x00'\n."), Uint8Array.from([0xff, 0]));
  assert.equal(load("T\x03\x00\x00\x00abc."), "abc");
  assert.equal(load("U\x02hi."), "hi");
  assert.equal(load(pk("U\x02", [0xce, 0x94], ".")), "Δ");
  fails("S'unterminated\n.", "CORRUPT", /STRING/);
  fails("T\xff\xff\xff\xff.", "CORRUPT", /negative length/);
});

test("UNICODE is raw-unicode-escape; INT/LONG/FLOAT text forms", () => {
  assert.equal(load("Va\\u00e9\\U0001f600\\\\u\n."), "aé😀\\\\u");
  assert.equal(load(pk("V", [0xe9], "\n.")), "é", "latin-1 bytes");
  assert.equal(load("I-42\n."), -42n);
  assert.equal(load("I00\n."), false);
  assert.equal(load("L-12345678901234567890L\n."), -12345678901234567890n);
  assert.equal(load("L0x1f\n."), 31n);
  assert.ok(Number.isNaN(load("Fnan\n.") as number));
  assert.equal(load("F-inf\n."), -Infinity);
  assert.equal(load("F1e+300\n."), 1e300);
  fails("Iabc\n.", "CORRUPT", /INT argument/);
  fails("Fone\n.", "CORRUPT", /FLOAT/);
  fails(`L${"9".repeat(200_001)}\n.`, "LIMIT", /LONG argument/);
});

test("stack opcodes: POP, POP_MARK, DUP, DICT, LIST, TUPLE, GET/PUT text memo, LONG_BINPUT/LONG_BINGET", () => {
  assert.equal(load("K\x01K\x020."), 1n);
  assert.equal(load("K\x01(K\x02K\x031."), 1n);
  const dup = load("]2\x86.") as Tuple;
  assert.equal(dup.items[0], dup.items[1]);
  assert.deepEqual(load("(K\x01K\x02d."), new Map([[1n, 2n]]));
  assert.deepEqual(load("(K\x01K\x02l."), [1n, 2n]);
  assert.deepEqual(load("(K\x01t."), new Tuple([1n]));
  const shared = load("(lp7\nK\x01ag7\n\x86.") as Tuple;
  assert.equal(shared.items[0], shared.items[1]);
  assert.deepEqual(shared.items[0], [1n]);
  const long = load("]r\x00\x00\x01\x00j\x00\x00\x01\x00\x86.") as Tuple;
  assert.equal(long.items[0], long.items[1]);
  assert.deepEqual(load("\x80\x04\x95\x03\x00\x00\x00\x00\x00\x00\x00K\x07."), 7n, "FRAME");
});

test("INST and OBJ (protocols 0–1) on an allowed class", () => {
  const allow = { allowGlobals: ["__main__.Point"] };
  assert.deepEqual(load("(K\x01K\x02i__main__\nPoint\n.", allow), new OpaqueObject("__main__.Point", [1n, 2n], undefined, "reduce"));
  assert.deepEqual(load("(i__main__\nPoint\n.", allow), new OpaqueObject("__main__.Point", [], undefined, "newobj"));
  assert.deepEqual(load("(c__main__\nPoint\nK\x01o.", allow), new OpaqueObject("__main__.Point", [1n], undefined, "reduce"));
  const built = load("(c__main__\nPoint\no}X\x01\x00\x00\x00xK\x01sb.", allow) as OpaqueObject;
  assert.deepEqual(built.state, new Map([["x", 1n]]));
  fails("(i__main__\nPoint\n.", "UNSAFE", /__main__\.Point/);
});

test("NEWOBJ_EX keeps keyword arguments; BUILD on a plain dict is refused unless empty", () => {
  const obj = load("\x80\x04c__main__\nP\n)}X\x01\x00\x00\x00aK\x01s\x92.", { allowGlobals: ["__main__.P"] }) as OpaqueObject;
  assert.equal(obj.variant, "newobj_ex");
  assert.deepEqual(obj.args, [new Tuple([]), new Map([["a", 1n]])]);
  assert.deepEqual(load("}}b."), new Map());
  fails("}}X\x01\x00\x00\x00aK\x01sb.", "UNSUPPORTED", /BUILD/);
});

test("persistent ids go to the caller's persistentLoad", () => {
  const seen: Value[] = [];
  const persistentLoad = (pid: Value): Value => {
    seen.push(pid);
    return "loaded";
  };
  assert.equal(load("Pabc\n.", { persistentLoad }), "loaded");
  assert.equal(load("\x80\x02X\x01\x00\x00\x00zQ.", { persistentLoad }), "loaded");
  assert.deepEqual(seen, ["abc", "z"]);
  fails("Pabc\n.", "UNSUPPORTED", /persistent id/);
});

test("refused: extension registry, out-of-band buffers, newer protocols", () => {
  fails("\x80\x02\x82\x01.", "UNSUPPORTED", /extension registry \(code 1\)/);
  fails("\x80\x02\x83\x01\x02.", "UNSUPPORTED", /extension registry/);
  fails("\x80\x02\x84\x01\x00\x00\x00.", "UNSUPPORTED", /extension registry/);
  fails("\x80\x05\x97.", "UNSUPPORTED", /out-of-band buffers/);
  fails("\x80\x05C\x01x\x98.", "UNSUPPORTED", /out-of-band buffers/);
  fails("\x80\x06N.", "UNSUPPORTED", /protocol 6/);
});

test("malformed pickles are CORRUPT with one-line messages", () => {
  fails("\xff.", "CORRUPT", /unknown opcode 0xff at byte 0/);
  fails("K\x01", "CORRUPT", /without a STOP/);
  fails("X\x10\x00\x00\x00abc", "CORRUPT", /ends inside a BINUNICODE/);
  fails("\x8e\xff\xff\xff\xff\xff\xff\xff\x7f.", "CORRUPT", /ends inside a BINBYTES8/);
  fails("\x80\x04\x95\x00\x00\x00\x01\x00\x00\x00\x00N.", "CORRUPT", /frame/);
  fails("h\x05.", "CORRUPT", /memo entry 5 was never stored/);
  fails("a.", "CORRUPT", /stack underflow/);
  fails("(a.", "CORRUPT", /stack underflow/, {});
  fails("1.", "CORRUPT", /no MARK/);
  fails("(K\x01d.", "CORRUPT", /odd number/);
  fails("K\x01)R.", "UNSUPPORTED", /calls an int, which ckpt cannot do/);
  fails("\x80\x04K\x01K\x02\x93.", "CORRUPT", /STACK_GLOBAL needs two str/);
  fails("X\x02\x00\x00\x00\xff\xfe.", "CORRUPT", /not UTF-8/);
});

test("dict keys must be kinds the model can key by", () => {
  fails("}]K\x01s.", "UNSUPPORTED", /list as a dict key/);
  const tupleKey = load("}K\x01K\x02\x86K\x03s.") as Map<unknown, Node>;
  assert.ok([...tupleKey.keys()][0] instanceof Tuple);
});

test("limits: stack, memo, LONG4 size", () => {
  fails("]".repeat(20) + ".", "LIMIT", /stack grows past 10 values/, { limits: { maxStack: 10 } });
  fails("K\x01\x94\x94\x94\x94.", "LIMIT", /memo grows past 3 entries/, { limits: { maxMemo: 3 } });
  fails("\x8b\xff\xff\xff\x7f.", "LIMIT", /LONG4/);
  fails("\x8b\xff\xff\xff\xff.", "CORRUPT", /negative length/);
});

test("parsePickle reports where the pickle ended, so pickles can be read back to back", () => {
  const bytes = pk("K\x01.", "K\x02.");
  const first = parsePickle(bytes, { globals: PYTHON_GLOBALS });
  assert.deepEqual(first, { root: 1n, end: 3 });
  assert.deepEqual(parsePickle(bytes, { globals: PYTHON_GLOBALS, offset: first.end }), { root: 2n, end: 6 });
});

test("errors name the file when given", () => {
  assert.throws(() => load("\xff", { fileName: "brain.pt" }), /^CkptError: brain\.pt: pickle is malformed/);
});
