/**
 * @ckpt/compress-zstd — the zstd codec plugin. Compression runs in libzstd (zstd-napi);
 * decompression too, falling back to pure-JS fzstd only where the native binding cannot
 * load. Both decoders are imported on first use, so loading the plugin costs nothing.
 */
import { CkptError, type ByteTransform, type CodecPlugin } from "@ckpt/core";
import { firstLine } from "./errors.js";
import { loadBinding } from "./native-binding.js";
import { LEVELS, checkContentSize, checkLevel } from "./options.js";

const plugin: CodecPlugin = {
  kind: "codec",
  id: "zstd",
  extensions: [".zst", ".zstd"],
  magic: [new Uint8Array([0x28, 0xb5, 0x2f, 0xfd])],
  levels: { ...LEVELS },

  compress(options = {}): ByteTransform {
    const level = checkLevel(options.level);
    const contentSize = checkContentSize(options.contentSize);
    return async function* compress(input) {
      const { binding, error } = await loadBinding();
      if (!binding) {
        throw new CkptError("PLUGIN_INCOMPATIBLE", `zstd: compressing needs the native zstd-napi binding, which failed to load: ${firstLine(error)}`, {
          cause: error,
        });
      }
      const { nativeCompress } = await import("./native-compress.js");
      yield* nativeCompress(binding, level, contentSize)(input);
    };
  },

  decompress(): ByteTransform {
    return async function* decompress(input) {
      const { binding } = await loadBinding();
      const transform = binding
        ? (await import("./native-decompress.js")).nativeDecompress(binding)
        : (await import("./fallback.js")).fallbackDecompress();
      yield* transform(input);
    };
  },
};

export default plugin;
