/** Hand-written pickles for opcodes Python 3 no longer emits and for hostile inputs. */
export type Part = string | number[] | Uint8Array;

/** Concatenates parts; strings are taken as latin-1 bytes (opcodes and text arguments). */
export function pk(...parts: Part[]): Uint8Array {
  const chunks = parts.map((part) => (typeof part === "string" ? Uint8Array.from(part, (ch) => ch.charCodeAt(0)) : Uint8Array.from(part)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

const le = (n: number, size: number) => Array.from({ length: size }, (_, i) => Math.floor(n / 2 ** (8 * i)) & 0xff);

/** BINUNICODE of `text`. */
export function str(text: string): Uint8Array {
  const utf8 = new TextEncoder().encode(text);
  return pk("X", le(utf8.length, 4), utf8);
}

/** BININT1 / BININT of a small non-negative int. */
export function int(n: number): Uint8Array {
  return n < 256 ? pk("K", [n]) : pk("J", le(n, 4));
}

/** GLOBAL module.name. */
export function glob(module: string, name: string): Uint8Array {
  return pk(`c${module}\n${name}\n`);
}

/** A tuple of the parts (MARK … TUPLE). */
export function tuple(...items: Part[]): Uint8Array {
  return pk("(", ...items, "t");
}

/** `('storage', torch.<cls>, key, 'cpu', numel)` BINPERSID, as the zip format writes it. */
export function storageRef(cls: string, key: string, numel: number, module = "torch"): Uint8Array {
  return pk(tuple(str("storage"), glob(module, cls), str(key), str("cpu"), int(numel)), "Q");
}

/** A protocol-2 pickle of `body` (PROTO 2 … STOP). */
export function proto2(...body: Part[]): Uint8Array {
  return pk("\x80\x02", ...body, ".");
}
