import type { Plugin } from "@ckpt/core";

/** What a loaded plugin can do, for `ckpt plugins`: one short line, and the same as data for --json. */
export function capabilitiesOf(plugin: Plugin): { text: string; data: Record<string, unknown> } {
  switch (plugin.kind) {
    case "format": {
      const options = (plugin.options ?? []).map((o) => o.name);
      const data = { dtypes: plugin.capabilities.dtypes, nodeKinds: plugin.capabilities.nodeKinds, options };
      const text = [`dtypes ${plugin.capabilities.dtypes.join(" ")}`, options.length ? `options ${options.join(", ")}` : ""].filter(Boolean).join("; ");
      return { text, data };
    }
    case "codec": {
      const { min, max, default: level } = plugin.levels;
      return { text: `levels ${min}–${max} (default ${level})`, data: { levels: plugin.levels } };
    }
    case "migration": {
      const steps = plugin.steps.map((s) => `${s.family} ${s.from}→${s.to}`);
      const families = [...new Set(plugin.detectors.map((d) => d.family))];
      return { text: `detects ${families.join(", ") || "nothing"}; steps ${steps.join(", ") || "none"}`, data: { families, steps } };
    }
  }
}
