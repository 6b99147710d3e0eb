import { CkptError, JsonSyntaxError, corrupt, parsePythonJson, type PyMap } from "@ckpt/core";

/** The reference reader's limit on the header length (safetensors' MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * The header length `N` from the first 8 bytes, checked against the limit and the
 * real file size before anything of that size is read or allocated.
 */
export function headerLength(first8: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8 || first8.byteLength < 8) {
    throw corrupt(`file is ${fileSize} bytes, shorter than the 8-byte header length`, file);
  }
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new CkptError("LIMIT", `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`, { file });
  }
  if (8n + n > BigInt(fileSize)) {
    throw corrupt(`header length ${n} runs past the end of the file (${fileSize} bytes)`, file);
  }
  return Number(n);
}

// fatal: refuse invalid UTF-8 as the reference does; ignoreBOM: keep a BOM so it is not JSON.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The header's JSON object, with integers exact (bigint: dimensions and offsets are
 * u64, and JSON.parse would round them past 2^53) and key order kept.
 */
export function parseHeaderJson(bytes: Uint8Array, file: string): PyMap {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw corrupt("header is not valid UTF-8", file);
  }
  let value;
  try {
    value = parsePythonJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw corrupt(`header is not valid JSON (${error.message})`, file);
    throw error;
  }
  if (!(value instanceof Map)) throw corrupt("header is not a JSON object", file);
  return value;
}
