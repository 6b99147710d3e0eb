import type { MagicSpec, PluginKind } from "../plugin/plugin.js";

/**
 * ckpt's own plugin packages, known to core only by their magic numbers and endings,
 * so a file of a format that is not installed gets a hint instead of "unknown format".
 */
export interface KnownPlugin {
  kind: PluginKind;
  id: string;
  packageName: string;
  label: string;
  extensions: string[];
  magic: MagicSpec[];
}

export const KNOWN_PLUGINS: readonly KnownPlugin[] = [
  { kind: "format", id: "thalia", packageName: "@ckpt/format-thalia", label: "a Thalia checkpoint", extensions: [".thalia"], magic: [{ hex: "5448414c" }] },
  { kind: "format", id: "pt", packageName: "@ckpt/format-pt", label: "a PyTorch checkpoint", extensions: [".pt", ".pth", ".ckpt", ".bin"], magic: [{ hex: "504b0304" }, { hex: "80028a0a6cfc9c46f9206aa85019" }] },
  { kind: "format", id: "safetensors", packageName: "@ckpt/format-safetensors", label: "safetensors", extensions: [".safetensors"], magic: [{ offset: 8, hex: "7b22" }, { offset: 8, hex: "7b7d" }] },
  { kind: "codec", id: "zstd", packageName: "@ckpt/compress-zstd", label: "zstd-compressed", extensions: [".zst", ".zstd"], magic: [{ hex: "28b52ffd" }] },
  { kind: "codec", id: "lz4", packageName: "@ckpt/compress-lz4", label: "LZ4-compressed", extensions: [".lz4"], magic: [{ hex: "04224d18" }] },
];
