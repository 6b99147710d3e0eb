import type { Command } from "commander";
import { describe, type CheckpointInfo } from "@ckpt/core";
import type { Context } from "../context.js";
import { addReadOptions, readOptionsFrom, type ReadFlags } from "../read-options.js";
import { formatBytes, toJson } from "../output/format.js";

export function infoCommand(program: Command, context: Context): void {
  addReadOptions(
    program
      .command("info")
      .description("what a checkpoint is and holds: format, codec, schema, tensors by dtype, an outline")
      .argument("<file>")
      .option("--depth <n>", "outline depth", "2"),
  ).action(async (file: string, flags: ReadFlags & { depth: string }) => {
    const info = await describe(file, { registry: await context.registry(), readOptions: readOptionsFrom(flags), depth: Number(flags.depth) });
    process.stdout.write(context.json ? toJson(info) + "\n" : render(info));
  });
}

function render(info: CheckpointInfo): string {
  const lines = [
    `file:      ${info.path} (${formatBytes(info.bytes)})`,
    `format:    ${info.format}`,
    `codec:     ${info.codec ?? "none"}`,
    `schema:    ${info.schemaVersion ? `${info.schemaFamily} v${info.schemaVersion}` : "unknown"}`,
    `tensors:   ${info.tensorCount} (${formatBytes(info.tensorBytes)})`,
  ];
  for (const [dtype, bytes] of Object.entries(info.bytesByDtype).sort((a, b) => b[1] - a[1])) {
    lines.push(`  ${dtype.padEnd(6)} ${formatBytes(bytes)}`);
  }
  const container = Object.entries(info.container);
  if (container.length > 0) {
    lines.push("container:");
    for (const [key, value] of container) lines.push(`  ${key}: ${typeof value === "bigint" ? value.toString() : JSON.stringify(value)}`);
  }
  lines.push("tree:");
  for (const line of info.outline) lines.push(`${"  ".repeat(line.depth + 1)}${line.label}: ${line.summary}`);
  return lines.join("\n") + "\n";
}
