import type { Command } from "commander";
import type { PluginDescriptor, Registry } from "@ckpt/core";
import { capabilitiesOf } from "../output/capabilities.js";
import type { Context } from "../context.js";
import { toJson } from "../output/format.js";

export function pluginsCommand(program: Command, context: Context): void {
  program
    .command("plugins")
    .description("the installed plugins ckpt discovered (id, kind, version, package, what they handle)")
    .action(async () => {
      const registry = await context.registry();
      // Listing needs only package.json; capabilities need the plugin itself, so each is loaded here.
      const plugins = await Promise.all(registry.list().map(async (d) => ({ ...describePlugin(d), ...(await loadCapabilities(registry, d)) })));
      const refused = registry.refused();
      if (context.json) {
        process.stdout.write(toJson({ plugins, refused }) + "\n");
        return;
      }
      if (plugins.length === 0) process.stdout.write("no plugins installed (add @ckpt/format-* and @ckpt/compress-* packages)\n");
      for (const p of plugins) {
        process.stdout.write(`${p.kind.padEnd(9)} ${p.id.padEnd(14)} ${p.package}@${p.version}  ${p.handles}\n`);
        process.stdout.write(`${" ".repeat(25)}${p.loadError ? `could not load: ${p.loadError}` : p.summary}\n`);
      }
      for (const r of refused) process.stdout.write(`refused   ${r.packageName}@${r.version}: ${r.reason}\n`);
    });
}

async function loadCapabilities(registry: Registry, d: PluginDescriptor) {
  try {
    const { text, data } = capabilitiesOf(await registry.load(d.kind, d.id));
    return { capabilities: data, summary: text, loadError: null };
  } catch (error) {
    return { capabilities: null, summary: "", loadError: error instanceof Error ? error.message : String(error) };
  }
}

function describePlugin(d: PluginDescriptor) {
  const extensions = d.manifest.extensions ?? [];
  const magic = (d.manifest.magic ?? []).map((m) => (m.offset ? `${m.hex}@${m.offset}` : m.hex));
  const handles = [extensions.join(" "), magic.length ? `magic ${magic.join(", ")}` : ""].filter(Boolean).join("; ");
  return { id: d.id, kind: d.kind, version: d.version, package: d.packageName, directory: d.packageDir ?? null, extensions, magic, handles };
}
