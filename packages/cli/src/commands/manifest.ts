import type { Command } from "commander";
import { readManifest, renderManifest } from "@ckpt/core";
import type { Context } from "../context.js";
import { addReadOptions, readOptionsFrom, type ReadFlags } from "../read-options.js";

export function manifestCommand(program: Command, context: Context): void {
  addReadOptions(
    program
      .command("manifest")
      .description("the canonical manifest (format, codec, content tree with tensor hashes) as JSON")
      .argument("<file>"),
  ).action(async (file: string, flags: ReadFlags) => {
    const manifest = await readManifest(file, { registry: await context.registry(), readOptions: readOptionsFrom(flags) });
    process.stdout.write(renderManifest(manifest) + "\n");
  });
}
