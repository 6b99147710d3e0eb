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
  /**
   * `contentSize`, when known, is the exact number of bytes that will flow in; codecs
   * record it in the frame header (Python's one-shot zstd decompressor needs it).
   */
  compress(options?: { level?: number; contentSize?: number }): ByteTransform;
  /** Verifies the codec's own checksums when the stream carries them; damaged input throws. */
  decompress(): ByteTransform;
}
