import type { CodecPlugin } from "./codec.js";
import type { FormatPlugin } from "./format.js";
import type { MigrationPlugin } from "./migration.js";

export type Plugin = FormatPlugin | CodecPlugin | MigrationPlugin;
export type PluginKind = Plugin["kind"];

/** The plugin API this core implements; a plugin declares the one it was written for. */
export const API_VERSION = 1;

/** A magic number a file starts with (or holds at `offset`), as hex: `{ "hex": "5448414c" }`. */
export interface MagicSpec {
  offset?: number;
  hex: string;
}

/**
 * The `"ckpt"` field of a plugin's package.json. Listing and identifying use only this,
 * so a plugin's code is imported only once it is chosen.
 */
export interface PluginManifest {
  kind: PluginKind;
  id: string;
  /** Module (relative to the package) whose default export is the plugin object. */
  entry: string;
  apiVersion: number;
  extensions?: string[];
  magic?: MagicSpec[];
  /** Optional tiny module exporting `identify(head)`, for checks magic bytes cannot express. */
  identify?: string;
}
