import { Command, CommanderError } from "commander";
import { CORE_VERSION } from "@ckpt/core";
import { Context } from "./context.js";
import { reportFailure } from "./output/errors.js";
import { cleanUpOnSignals } from "./interrupt.js";
import { convertCommand } from "./commands/convert.js";
import { infoCommand } from "./commands/info.js";
import { manifestCommand } from "./commands/manifest.js";
import { validateCommand } from "./commands/validate.js";
import { pluginsCommand } from "./commands/plugins.js";
import { diffCommand } from "./commands/diff.js";
import { migrateCommand } from "./commands/migrate.js";

/** Runs the `ckpt` command line and returns the exit code (see README: exit codes). */
export async function main(argv: readonly string[]): Promise<number> {
  cleanUpOnSignals();
  const context = new Context();
  const program = new Command("ckpt")
    .description("convert, inspect and validate brain-simulation checkpoints (PyTorch, Thalia, safetensors) without Python")
    .version(CORE_VERSION, "-V, --version")
    .option("--json", "machine-readable output")
    .option("--debug", "show stack traces on errors")
    .option("-q, --quiet", "no progress bar or warnings on stderr")
    .showHelpAfterError("(run ckpt --help for usage)")
    .exitOverride();
  program.hook("preAction", () => {
    const globals = program.opts<{ json?: boolean; debug?: boolean; quiet?: boolean }>();
    context.json = globals.json === true;
    context.debug = globals.debug === true;
    context.quiet = globals.quiet === true;
  });
  for (const add of [convertCommand, infoCommand, manifestCommand, validateCommand, pluginsCommand, migrateCommand, diffCommand]) add(program, context);

  try {
    await program.parseAsync([...argv], { from: "user" });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    return reportFailure(error, { debug: context.debug || argv.includes("--debug"), json: context.json });
  }
}
