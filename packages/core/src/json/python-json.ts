import { Tuple, pyFloatRepr, type Key, type Node, type PyMap } from "../model/node.js";

/**
 * JSON as Python's `json` module reads and writes it. Differences from JSON.parse /
 * JSON.stringify that matter for checkpoints: integers stay exact (bigint) and apart
 * from floats (`1` vs `1.0`), `NaN`/`Infinity`/`-Infinity` are accepted and written,
 * objects keep their key order as a Map.
 */

const MAX_DEPTH = 1000;

export class JsonSyntaxError extends Error {
  override readonly name = "JsonSyntaxError";
}

export function parsePythonJson(text: string): Node {
  const parser = new Parser(text);
  parser.skipSpace();
  const value = parser.value(0);
  parser.skipSpace();
  if (parser.at < text.length) parser.fail("unexpected data after the JSON value");
  return value;
}

class Parser {
  at = 0;
  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new JsonSyntaxError(`invalid JSON at character ${this.at}: ${message}`);
  }

  skipSpace(): void {
    const t = this.text;
    while (this.at < t.length) {
      const c = t.charCodeAt(this.at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      this.at++;
    }
  }

  value(depth: number): Node {
    if (depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
    const c = this.text[this.at];
    switch (c) {
      case "{": return this.object(depth);
      case "[": return this.array(depth);
      case '"': return this.string();
      case "t": return this.literal("true", true);
      case "f": return this.literal("false", false);
      case "n": return this.literal("null", null);
      case "N": return this.literal("NaN", NaN);
      case "I": return this.literal("Infinity", Infinity);
      case undefined: return this.fail("unexpected end of input");
      default:
        if (c === "-" && this.text.startsWith("-Infinity", this.at)) return this.literal("-Infinity", -Infinity);
        if (c === "-" || (c >= "0" && c <= "9")) return this.number();
        return this.fail(`unexpected character ${JSON.stringify(c)}`);
    }
  }

  private literal<T extends Node>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.at)) this.fail(`expected ${word}`);
    this.at += word.length;
    return value;
  }

  private number(): bigint | number {
    const match = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.at, this.at + 400));
    if (!match) this.fail("malformed number");
    this.at += match[0].length;
    return match[1] === undefined && match[2] === undefined ? BigInt(match[0]) : Number(match[0]);
  }

  string(): string {
    const t = this.text;
    let out = "";
    let start = ++this.at;
    for (;;) {
      const c = t.charCodeAt(this.at);
      if (Number.isNaN(c)) this.fail("unterminated string");
      if (c === 0x22) {
        out += t.slice(start, this.at++);
        return out;
      }
      if (c < 0x20) this.fail("control character in string");
      if (c !== 0x5c) {
        this.at++;
        continue;
      }
      out += t.slice(start, this.at);
      const e = t[this.at + 1];
      this.at += 2;
      switch (e) {
        case '"': out += '"'; break;
        case "\\": out += "\\"; break;
        case "/": out += "/"; break;
        case "b": out += "\b"; break;
        case "f": out += "\f"; break;
        case "n": out += "\n"; break;
        case "r": out += "\r"; break;
        case "t": out += "\t"; break;
        case "u": {
          const hex = t.slice(this.at, this.at + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("bad \\u escape");
          out += String.fromCharCode(parseInt(hex, 16));
          this.at += 4;
          break;
        }
        default: this.fail("bad escape");
      }
      start = this.at;
    }
  }

  private array(depth: number): Node[] {
    this.at++;
    const out: Node[] = [];
    this.skipSpace();
    if (this.text[this.at] === "]") {
      this.at++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      out.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.text[this.at++];
      if (c === "]") return out;
      if (c !== ",") this.fail("expected , or ]");
    }
  }

  private object(depth: number): PyMap {
    this.at++;
    const out: PyMap = new Map();
    this.skipSpace();
    if (this.text[this.at] === "}") {
      this.at++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] !== '"') this.fail("expected a string key");
      const key = this.string();
      this.skipSpace();
      if (this.text[this.at++] !== ":") this.fail("expected :");
      this.skipSpace();
      out.set(key, this.value(depth + 1));
      this.skipSpace();
      const c = this.text[this.at++];
      if (c === "}") return out;
      if (c !== ",") this.fail("expected , or }");
    }
  }
}

/**
 * `json.dumps(value, indent=indent)` byte for byte (ensure_ascii on, Python float repr,
 * NaN/Infinity written bare). With `indent` undefined it matches `json.dumps(value)`.
 */
export function dumpPythonJson(value: Node, indent?: number): string {
  const parts: string[] = [];
  write(value, 0);
  return parts.join("");

  function write(node: Node, level: number): void {
    if (node === null) return void parts.push("null");
    switch (typeof node) {
      case "boolean": return void parts.push(node ? "true" : "false");
      case "bigint": return void parts.push(node.toString());
      case "number": return void parts.push(floatText(node));
      case "string": return void parts.push(quotePython(node));
    }
    if (Array.isArray(node) || node instanceof Tuple) {
      const items = Array.isArray(node) ? node : node.items;
      return writeContainer("[", "]", items.length, level, (i) => write(items[i]!, level + 1));
    }
    if (node instanceof Map) {
      const entries = [...node.entries()];
      return writeContainer("{", "}", entries.length, level, (i) => {
        const [key, child] = entries[i]!;
        parts.push(quotePython(jsonKey(key)), ": ");
        write(child, level + 1);
      });
    }
    throw new TypeError(`cannot write ${Object.prototype.toString.call(node)} as JSON`);
  }

  function writeContainer(open: string, close: string, count: number, level: number, item: (i: number) => void): void {
    if (count === 0) return void parts.push(open, close);
    parts.push(open);
    for (let i = 0; i < count; i++) {
      if (i > 0) parts.push(indent === undefined ? ", " : ",");
      if (indent !== undefined) parts.push("\n", " ".repeat(indent * (level + 1)));
      item(i);
    }
    if (indent !== undefined) parts.push("\n", " ".repeat(indent * level));
    parts.push(close);
  }
}

function floatText(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  return pyFloatRepr(value);
}

/** How Python's json turns a dict key into a string. */
function jsonKey(key: Key): string {
  if (typeof key === "string") return key;
  if (key === null) return "null";
  if (typeof key === "boolean") return key ? "true" : "false";
  if (typeof key === "bigint") return key.toString();
  if (typeof key === "number") return floatText(key);
  throw new TypeError("keys must be str, int, float, bool or None, not tuple");
}

/** A JSON string literal with every character outside printable ASCII escaped, as ensure_ascii does. */
export function quotePython(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c) {
      out += text[i];
      continue;
    }
    switch (c) {
      case 0x22: out += '\\"'; break;
      case 0x5c: out += "\\\\"; break;
      case 0x0a: out += "\\n"; break;
      case 0x0d: out += "\\r"; break;
      case 0x09: out += "\\t"; break;
      case 0x08: out += "\\b"; break;
      case 0x0c: out += "\\f"; break;
      default: out += "\\u" + c.toString(16).padStart(4, "0");
    }
  }
  return out + '"';
}
