import type { Command } from "commander";
import { validate } from "@ckpt/core";
import type { Context } from "../context.js";
import { addReadOptions, readOptionsFrom, type ReadFlags } from "../read-options.js";
import { toJson } from "../output/format.js";

export function validateCommand(program: Command, context: Context): void {
  addReadOptions(
    program
      .command("validate")
      .description("check a checkpoint's integrity (structure, checksums, every tensor readable); exit 0 valid, 1 invalid")
      .argument("<file>"),
  ).action(async (file: string, flags: ReadFlags) => {
    const result = await validate(file, { registry: await context.registry(), readOptions: readOptionsFrom(flags) });
    if (context.json) process.stdout.write(toJson(result) + "\n");
    else if (result.valid) process.stdout.write(`${file}: valid ${result.format}${result.codec ? `+${result.codec}` : ""}, ${result.tensors} tensors\n`);
    else process.stdout.write(`${result.problem}\n`);
    context.exitCode = result.valid ? 0 : 1;
  });
}
