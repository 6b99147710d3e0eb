import { CkptError } from "@ckpt/core";

/** Decoding of the arguments of protocol-0 text opcodes and of pickled strings. */

const ascii = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8", { fatal: true });

function bad(what: string, raw: Uint8Array): CkptError {
  const shown = ascii.decode(raw.subarray(0, 40)).replace(/[^\x20-\x7e]/g, "?");
  return new CkptError("CORRUPT", `pickle has an invalid ${what} '${shown}${raw.length > 40 ? "…" : ""}'`);
}

/** Python's `int(text, 0)`: optional sign, decimal or 0x/0o/0b, underscores between digits. */
export function parseIntText(raw: Uint8Array, what: string, maxLength: number): bigint {
  if (raw.length > maxLength) throw new CkptError("LIMIT", `pickle has a ${raw.length}-character ${what} (limit ${maxLength})`);
  const text = ascii.decode(raw).trim();
  const match = /^([+-]?)(0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|0(?:_?0)*|[1-9](?:_?\d)*)$/.exec(text);
  if (!match) throw bad(what, raw);
  const magnitude = BigInt(match[2]!.replace(/_/g, ""));
  return match[1] === "-" ? -magnitude : magnitude;
}

/** INT: "00"/"01" are False/True (how protocol 0 writes bools), anything else an int. */
export function parseIntOpcode(raw: Uint8Array, maxLength: number): bigint | boolean {
  if (raw.length === 2 && raw[0] === 0x30 && (raw[1] === 0x30 || raw[1] === 0x31)) return raw[1] === 0x31;
  return parseIntText(raw, "INT argument", maxLength);
}

/** LONG: Python 2 wrote a trailing "L". */
export function parseLongOpcode(raw: Uint8Array, maxLength: number): bigint {
  const end = raw.length > 0 && (raw[raw.length - 1] === 0x4c || raw[raw.length - 1] === 0x6c) ? raw.length - 1 : raw.length;
  return parseIntText(raw.subarray(0, end), "LONG argument", maxLength);
}

/** FLOAT: Python's `float(text)`, including nan/inf spellings. */
export function parseFloatText(raw: Uint8Array): number {
  const text = ascii.decode(raw).trim().toLowerCase().replace(/(\d)_(?=\d)/g, "$1");
  const special = /^([+-]?)(nan|inf|infinity)$/.exec(text);
  if (special) {
    if (special[2] === "nan") return NaN;
    return special[1] === "-" ? -Infinity : Infinity;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(text)) throw bad("FLOAT argument", raw);
  return Number(text);
}

/** GET / PUT: a decimal memo key. */
export function parseMemoKey(raw: Uint8Array): number {
  const text = ascii.decode(raw).trim();
  if (!/^\d{1,15}$/.test(text)) throw bad("memo key", raw);
  return Number(text);
}

/** STRING: a quoted Python 2 string literal with backslash escapes, as bytes. */
export function parseStringLiteral(raw: Uint8Array): Uint8Array {
  const quote = raw[0];
  if (raw.length < 2 || (quote !== 0x27 && quote !== 0x22) || raw[raw.length - 1] !== quote) {
    throw bad("STRING argument (not quoted)", raw);
  }
  const body = raw.subarray(1, raw.length - 1);
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== 0x5c || i + 1 >= body.length) {
      out.push(c);
      continue;
    }
    const e = body[++i]!;
    const simple: Record<number, number> = { 0x5c: 0x5c, 0x27: 0x27, 0x22: 0x22, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x61: 0x07, 0x62: 0x08, 0x66: 0x0c, 0x76: 0x0b };
    if (e in simple) {
      out.push(simple[e]!);
    } else if (e === 0x0a) {
      // backslash-newline: a line continuation, nothing emitted
    } else if (e === 0x78) {
      const hex = ascii.decode(body.subarray(i + 1, i + 3));
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw bad("\\x escape in a STRING", raw);
      out.push(parseInt(hex, 16));
      i += 2;
    } else if (e >= 0x30 && e <= 0x37) {
      let value = e - 0x30;
      for (let k = 0; k < 2 && i + 1 < body.length && body[i + 1]! >= 0x30 && body[i + 1]! <= 0x37; k++) value = value * 8 + (body[++i]! - 0x30);
      out.push(value & 0xff);
    } else {
      out.push(0x5c, e); // unknown escapes stay as written
    }
  }
  return Uint8Array.from(out);
}

/**
 * A Python 2 `str` (STRING, BINSTRING, SHORT_BINSTRING): text when it is valid
 * UTF-8 (as torch.load decodes it), otherwise the raw bytes, so nothing is lost.
 */
export function py2String(bytes: Uint8Array): string | Uint8Array {
  try {
    return utf8.decode(bytes);
  } catch {
    return bytes.slice();
  }
}

/** UNICODE: raw-unicode-escape (latin-1 bytes, \uXXXX and \UXXXXXXXX escapes). */
export function decodeRawUnicodeEscape(raw: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c !== 0x5c) {
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    // A run of backslashes: only an odd-length run followed by u/U starts an escape.
    let run = 0;
    while (i + run < raw.length && raw[i + run] === 0x5c) run++;
    const next = raw[i + run];
    const escapes = run % 2 === 1 && (next === 0x75 || next === 0x55);
    out += "\\".repeat(escapes ? run - 1 : run);
    i += run;
    if (!escapes) continue;
    const digits = next === 0x75 ? 4 : 8;
    const hex = ascii.decode(raw.subarray(i + 1, i + 1 + digits));
    if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) throw bad("\\u escape in a UNICODE", raw);
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) throw bad("\\U escape in a UNICODE", raw);
    out += String.fromCodePoint(code);
    i += 1 + digits;
  }
  return out;
}

/**
 * UTF-8 as Python's pickle decodes it ("surrogatepass"): lone surrogates, which
 * Python writes as 3-byte sequences, come back as lone surrogates.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return decodeSurrogatePass(bytes);
  }
}

function decodeSurrogatePass(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  const cont = (k: number): number => {
    const b = bytes[i + k];
    if (b === undefined || (b & 0xc0) !== 0x80) throw new CkptError("CORRUPT", `pickle holds a str that is not UTF-8 (byte ${i})`);
    return b & 0x3f;
  };
  while (i < bytes.length) {
    const b = bytes[i]!;
    let code: number;
    let size: number;
    if (b < 0x80) [code, size] = [b, 1];
    else if (b >= 0xc2 && b < 0xe0) [code, size] = [((b & 0x1f) << 6) | cont(1), 2];
    else if (b >= 0xe0 && b < 0xf0) [code, size] = [((b & 0x0f) << 12) | (cont(1) << 6) | cont(2), 3];
    else if (b >= 0xf0 && b < 0xf5) [code, size] = [((b & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3), 4];
    else throw new CkptError("CORRUPT", `pickle holds a str that is not UTF-8 (byte ${i})`);
    const min = size === 2 ? 0x80 : size === 3 ? 0x800 : size === 4 ? 0x10000 : 0;
    if (code < min || code > 0x10ffff) throw new CkptError("CORRUPT", `pickle holds a str that is not UTF-8 (byte ${i})`);
    out += String.fromCodePoint(code);
    i += size;
  }
  return out;
}

/** Bytes from text whose every character is below 256 (latin-1). */
export function latin1Bytes(text: string, what: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw new CkptError("CORRUPT", `${what}: character U+${code.toString(16).padStart(4, "0")} is not latin-1`);
    out[i] = code;
  }
  return out;
}
