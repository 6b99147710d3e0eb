import type { Command } from "commander";
import type { PluginDescriptor } from "@ckpt/core";
import type { Context } from "../context.js";
import { toJson } from "../output/format.js";

export function pluginsCommand(program: Command, context: Context): void {
  program
    .command("plugins")
    .description("the installed plugins ckpt discovered (id, kind, version, package, what they handle)")
    .action(async () => {
      const registry = await context.registry();
      const plugins = registry.list().map(describePlugin);
      const refused = registry.refused();
      if (context.json) {
        process.stdout.write(toJson({ plugins, refused }) + "\n");
        return;
      }
      if (plugins.length === 0) process.stdout.write("no plugins installed (add @ckpt/format-* and @ckpt/compress-* packages)\n");
      for (const p of plugins) {
        process.stdout.write(`${p.kind.padEnd(9)} ${p.id.padEnd(14)} ${p.package}@${p.version}  ${p.handles}\n`);
      }
      for (const r of refused) process.stdout.write(`refused   ${r.packageName}@${r.version}: ${r.reason}\n`);
    });
}

function describePlugin(d: PluginDescriptor) {
  const extensions = d.manifest.extensions ?? [];
  const magic = (d.manifest.magic ?? []).map((m) => (m.offset ? `${m.hex}@${m.offset}` : m.hex));
  const handles = [extensions.join(" "), magic.length ? `magic ${magic.join(", ")}` : ""].filter(Boolean).join("; ");
  return { id: d.id, kind: d.kind, version: d.version, package: d.packageName, directory: d.packageDir ?? null, extensions, magic, handles };
}
