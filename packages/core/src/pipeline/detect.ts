import { CkptError } from "../errors.js";
import type { CodecPlugin } from "../plugin/codec.js";
import type { Registry } from "../registry/registry.js";
import { magicMatches, matchingExtension, type PluginDescriptor } from "../registry/descriptor.js";

/** How many leading bytes identification looks at. */
export const HEAD_BYTES = 4096;

/**
 * The codec wrapping a file, if any: by magic first, then by the name's ending (a file
 * named `.zst` that is not zstd then fails in the decompressor, with its reason).
 */
export async function detectCodec(registry: Registry, head: Uint8Array, name: string): Promise<PluginDescriptor | undefined> {
  const found = await registry.identify("codec", head, name);
  if (found && found.by !== "extension") return found.descriptor;
  const missing = registry.missingPluginFor("codec", head, name);
  if (missing && magicMatches(head, missing.magic)) {
    throw new CkptError("PLUGIN_MISSING", `${name} looks ${missing.label}, but ${missing.packageName} is not installed`, { file: name });
  }
  return found?.descriptor;
}

/** The format of (decompressed) content whose first bytes are `head`. */
export async function detectFormat(registry: Registry, head: Uint8Array, name: string, displayName = name): Promise<PluginDescriptor> {
  const found = await registry.identify("format", head, name);
  if (found) return found.descriptor;
  const missing = registry.missingPluginFor("format", head, name);
  if (missing) {
    throw new CkptError("PLUGIN_MISSING", `${displayName} looks like ${missing.label}, but ${missing.packageName} is not installed`, { file: displayName });
  }
  const refused = registry.refused().find((r) => magicMatches(head, r.manifest?.magic) || matchingExtension(name, r.manifest?.extensions));
  if (refused) {
    throw new CkptError("PLUGIN_INCOMPATIBLE", `${displayName} looks like a file for ${refused.packageName}@${refused.version}, but that plugin was refused: ${refused.reason}`, { file: displayName });
  }
  if (head.byteLength === 0) throw new CkptError("UNKNOWN_FORMAT", "file is empty", { file: displayName });
  const installed = registry.list("format").map((d) => d.id);
  throw new CkptError(
    "UNKNOWN_FORMAT",
    `not a checkpoint format ckpt knows (starts with ${hexPreview(head)}; installed formats: ${installed.join(", ") || "none"})`,
    { file: displayName },
  );
}

/** The target format and codec named by a destination path: `out.thalia.zst` → thalia + zstd. */
export function targetFromName(registry: Registry, name: string, explicit: { format?: string; codec?: string | null }): {
  format: PluginDescriptor;
  codec: PluginDescriptor | undefined;
} {
  let rest = name;
  let codec: PluginDescriptor | undefined;
  if (explicit.codec !== undefined) {
    codec = explicit.codec === null ? undefined : requirePlugin(registry, "codec", explicit.codec, name);
    const ext = codec && matchingExtension(rest, codec.manifest.extensions);
    if (ext) rest = rest.slice(0, -ext.length);
  } else {
    for (const descriptor of registry.list("codec")) {
      const ext = matchingExtension(rest, descriptor.manifest.extensions);
      if (ext) {
        codec = descriptor;
        rest = rest.slice(0, -ext.length);
        break;
      }
    }
    if (!codec) {
      const missing = registry.missingPluginFor("codec", new Uint8Array(), name);
      if (missing) throw new CkptError("PLUGIN_MISSING", `asks for ${missing.label} output, but ${missing.packageName} is not installed`, { file: name });
    }
  }
  if (explicit.format) return { format: requirePlugin(registry, "format", explicit.format, name), codec };
  const candidates = registry
    .list("format")
    .map((descriptor) => ({ descriptor, ext: matchingExtension(rest, descriptor.manifest.extensions) }))
    .filter((c) => c.ext !== undefined)
    .sort((a, b) => b.ext!.length - a.ext!.length);
  if (candidates[0]) return { format: candidates[0].descriptor, codec };
  const missing = registry.missingPluginFor("format", new Uint8Array(), rest);
  if (missing) throw new CkptError("PLUGIN_MISSING", `asks for ${missing.label} output, but ${missing.packageName} is not installed`, { file: name });
  throw new CkptError("UNKNOWN_FORMAT", `cannot tell the output format from the name (use --format; installed: ${registry.list("format").map((d) => d.id).join(", ") || "none"})`, { file: name });
}

function requirePlugin(registry: Registry, kind: "format" | "codec", id: string, name: string): PluginDescriptor {
  const descriptor = registry.find(kind, id);
  if (!descriptor) throw new CkptError("PLUGIN_MISSING", `no ${kind} plugin "${id}" is installed`, { file: name });
  return descriptor;
}

/** The name without a codec's ending, so the inner format can be guessed from it. */
export function stripCodecExtension(name: string, codec: CodecPlugin): string {
  const ext = matchingExtension(name, codec.extensions);
  return ext ? name.slice(0, -ext.length) : name;
}

function hexPreview(head: Uint8Array): string {
  return Buffer.from(head.subarray(0, 8)).toString("hex").replace(/(..)/g, "$1 ").trim();
}
