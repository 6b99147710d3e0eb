/**
 * @ckpt/compress-lz4 — the LZ4 frame codec plugin. Everything is TypeScript: block
 * compressors, block decoder, frame writer/reader and xxHash32 (see README.md for why).
 */
import type { CodecPlugin } from "@ckpt/core";
import { decompressFrames } from "./frame-reader.js";
import { DEFAULT_LEVEL, MAX_LEVEL, MIN_LEVEL, compressFrames } from "./frame-writer.js";

const plugin: CodecPlugin = {
  kind: "codec",
  id: "lz4",
  extensions: [".lz4"],
  magic: [new Uint8Array([0x04, 0x22, 0x4d, 0x18])],
  levels: { min: MIN_LEVEL, max: MAX_LEVEL, default: DEFAULT_LEVEL },
  compress: (options) => compressFrames(options),
  decompress: () => decompressFrames(),
};

export default plugin;
