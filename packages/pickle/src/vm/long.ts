/** LONG1 / LONG4 payload: little-endian two's complement of any length (empty = 0). */
export function decodeLong(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let hex = "";
  for (let i = bytes.length - 1; i >= 0; i--) hex += bytes[i]!.toString(16).padStart(2, "0");
  let value = BigInt(`0x${hex}`);
  if (bytes[bytes.length - 1]! & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value;
}
