import type { Identification } from "@ckpt/core";

/** Cheap check of the first bytes: the `THAL` magic (also declared in package.json). */
export function identify(head: Uint8Array): Identification {
  return head[0] === 0x54 && head[1] === 0x48 && head[2] === 0x41 && head[3] === 0x4c ? "yes" : "no";
}
