import type { MagicSpec, Plugin, PluginKind, PluginManifest } from "../plugin/plugin.js";

/** A plugin the registry knows of, before (and after) its code is imported. */
export interface PluginDescriptor {
  readonly kind: PluginKind;
  readonly id: string;
  readonly packageName: string;
  readonly version: string;
  /** Folder of the installed package; undefined for plugins registered with `use()`. */
  readonly packageDir: string | undefined;
  readonly manifest: PluginManifest;
  /** Present for plugins registered in code with `registry.use()`. */
  readonly instance?: Plugin;
}

/** A package that declares itself a plugin but cannot be used, and why. */
export interface RefusedPlugin {
  readonly packageName: string;
  readonly version: string;
  readonly packageDir: string;
  readonly reason: string;
  /** Its `"ckpt"` field as declared (unchecked), so a matching file can name the refused plugin. */
  readonly manifest: Partial<PluginManifest> | undefined;
}

export function magicMatches(head: Uint8Array, magic: readonly MagicSpec[] | undefined): boolean {
  return (magic ?? []).some(({ offset = 0, hex }) => {
    const bytes = Buffer.from(hex, "hex");
    if (head.byteLength < offset + bytes.byteLength) return false;
    return bytes.every((byte, i) => head[offset + i] === byte);
  });
}

/** The longest of `extensions` that `fileName` ends with, or undefined. */
export function matchingExtension(fileName: string, extensions: readonly string[] | undefined): string | undefined {
  const lower = fileName.toLowerCase();
  return [...(extensions ?? [])].sort((a, b) => b.length - a.length).find((ext) => lower.endsWith(ext.toLowerCase()));
}
