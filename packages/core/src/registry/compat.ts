import semver from "semver";
import { API_VERSION, type PluginManifest } from "../plugin/plugin.js";
import { CORE_VERSION } from "./core-version.js";

const KINDS = new Set(["format", "codec", "migration"]);

/** Why a declared plugin cannot be used with this core, or undefined when it can. */
export function incompatibility(manifest: unknown, peerDependencies: Record<string, string> | undefined): string | undefined {
  const m = manifest as Partial<PluginManifest> | null;
  if (typeof m !== "object" || m === null) return `its "ckpt" field is not an object`;
  if (!KINDS.has(m.kind as string)) return `unknown plugin kind ${JSON.stringify(m.kind)} (expected format, codec or migration)`;
  if (typeof m.id !== "string" || !/^[a-z0-9][a-z0-9._-]*$/.test(m.id)) return `invalid plugin id ${JSON.stringify(m.id)}`;
  if (typeof m.entry !== "string") return `its "ckpt" field has no "entry" module`;
  if (m.apiVersion !== API_VERSION) {
    return `it was written for plugin API ${JSON.stringify(m.apiVersion)}, this @ckpt/core ${CORE_VERSION} provides API ${API_VERSION}`;
  }
  const range = peerDependencies?.["@ckpt/core"];
  if (range !== undefined && range !== "*" && !range.startsWith("workspace:")) {
    if (!semver.validRange(range)) return `its peer dependency on @ckpt/core has an invalid range ${JSON.stringify(range)}`;
    if (!semver.satisfies(CORE_VERSION, range, { includePrerelease: true })) {
      return `it needs @ckpt/core ${range}, but ${CORE_VERSION} is installed`;
    }
  }
  return undefined;
}
