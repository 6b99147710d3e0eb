import type { Identification } from "@ckpt/core";

/**
 * Cheap check of the first bytes: a little-endian u64 header length that the
 * reference reader would accept, then a JSON object (`{`, possibly after JSON
 * whitespace). The magic in package.json covers the common `{"` / `{}` starts.
 */
export function identify(head: Uint8Array): Identification {
  if (head.byteLength < 9) return "no";
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const n = view.getBigUint64(0, true);
  if (n < 2n || n > 100_000_000n) return "no";
  for (let at = 8; at < head.byteLength; at++) {
    const c = head[at]!;
    if (c === 0x7b) return "yes";
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return "no";
  }
  return "maybe";
}
