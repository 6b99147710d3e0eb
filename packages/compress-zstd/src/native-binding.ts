/**
 * Loads zstd-napi's native binding on first use, not at import: the plugin module must load
 * where no native code can (browsers, bundles), and there decompression falls back to fzstd.
 */
// A CommonJS module: from ESM, its exports object is the default export.
import type Binding from "zstd-napi/binding.js";

export type ZstdBinding = typeof Binding;

export type BindingResult = { binding: ZstdBinding; error?: undefined } | { binding?: undefined; error: unknown };

let loading: Promise<BindingResult> | undefined;

export function loadBinding(): Promise<BindingResult> {
  loading ??= import("zstd-napi/binding.js").then(
    (module) => ({ binding: module.default }),
    (error: unknown) => ({ error }),
  );
  return loading;
}
