/** A streaming transform over chunks of bytes: pull-based, so back-pressure is free. */
export type ByteTransform = (input: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>;

/** A compression layer (zstd, LZ4) that can wrap any format. */
export interface CodecPlugin {
  readonly kind: "codec";
  readonly id: string;
  /** Endings that announce this codec: `.zst`. */
  readonly extensions: readonly string[];
  /** Magic numbers at offset 0 (any one matches). */
  readonly magic: readonly Uint8Array[];
  readonly levels: { min: number; max: number; default: number };
  compress(options?: { level?: number }): ByteTransform;
  decompress(): ByteTransform;
}
