import { INDEX_NAME_BYTES } from "../container/layout.js";

/**
 * Index names hold at most 31 UTF-8 bytes. Longer names are cut (at a character
 * boundary, so the reference reader can still decode them; the reference itself cuts
 * mid-character) and made unique; `regionNames` maps each changed name back to the
 * full one, which ckpt stores in the metadata as `region_names`.
 */
export function assignIndexNames(fullNames: readonly string[]): { indexNames: string[]; regionNames: Map<string, string> } {
  const used = new Set<string>();
  const regionNames = new Map<string, string>();
  const indexNames = fullNames.map((full) => {
    let name = cut(full, INDEX_NAME_BYTES);
    for (let n = 1; used.has(name); n++) name = cut(full, INDEX_NAME_BYTES - String(n).length - 1) + `~${n}`;
    used.add(name);
    if (name !== full) regionNames.set(name, full);
    return name;
  });
  return { indexNames, regionNames };
}

function cut(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  let out = "";
  for (const char of text) {
    if (Buffer.byteLength(out + char, "utf8") > maxBytes) break;
    out += char;
  }
  return out;
}
