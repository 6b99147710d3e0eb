import { Registry } from "@ckpt/core";
import { terminalReporter } from "./output/progress.js";

/** What every command shares: global flags and the (lazily discovered) plugin registry. */
export class Context {
  json = false;
  debug = false;
  quiet = false;
  exitCode = 0;
  private discovered: Promise<Registry> | undefined;

  registry(): Promise<Registry> {
    this.discovered ??= Registry.discover();
    return this.discovered;
  }

  reporter(): ReturnType<typeof terminalReporter> {
    return terminalReporter({ quiet: this.quiet || this.json });
  }
}
