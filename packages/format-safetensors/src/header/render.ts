/** A tensor entry to write; offsets count from the start of the data buffer. */
export interface RenderEntry {
  name: string;
  dtype: string;
  shape: readonly number[];
  begin: number;
  end: number;
}

/**
 * The file's first `8 + N` bytes exactly as the reference writer produces them:
 * compact JSON (serde_json's escaping, which JSON.stringify shares: `"`, `\` and
 * control characters, non-ASCII kept as UTF-8), `__metadata__` first, fields in the
 * order dtype, shape, data_offsets, padded with spaces to a multiple of 8.
 */
export function renderHeader(metadata: ReadonlyMap<string, string> | undefined, entries: readonly RenderEntry[]): Uint8Array {
  const parts: string[] = [];
  if (metadata) {
    const fields = [...metadata].map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`);
    parts.push(`"__metadata__":{${fields.join(",")}}`);
  }
  for (const e of entries) {
    parts.push(`${JSON.stringify(e.name)}:{"dtype":${JSON.stringify(e.dtype)},"shape":[${e.shape.join(",")}],"data_offsets":[${e.begin},${e.end}]}`);
  }
  const json = Buffer.from(`{${parts.join(",")}}`, "utf8");
  const n = Math.ceil(json.byteLength / 8) * 8;
  const out = Buffer.alloc(8 + n, 0x20);
  out.writeBigUInt64LE(BigInt(n), 0);
  json.copy(out, 8);
  return out;
}
