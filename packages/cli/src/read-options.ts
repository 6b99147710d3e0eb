import type { Command } from "commander";

/** Options every reading command accepts, passed through to the format plugin. */
export function addReadOptions(command: Command): Command {
  return command
    .option("--no-verify-checksum", "read a Thalia file even when its SHA-256 trailer does not match (forensics)")
    .option("--no-verify-crc", "do not check zip CRC-32s of PyTorch archives")
    .option("--allow-global <module.Name...>", "let a pickle name this global; it is kept as an opaque object, never called")
    .option("--unflatten", "read dotted safetensors names as nested maps")
    .option("-o, --option <key=value...>", "any other reader option, passed to the plugin");
}

export interface ReadFlags {
  verifyChecksum?: boolean;
  verifyCrc?: boolean;
  allowGlobal?: string[];
  unflatten?: boolean;
  option?: string[];
}

export function readOptionsFrom(flags: ReadFlags): Record<string, unknown> {
  return {
    verifyChecksum: flags.verifyChecksum !== false,
    verifyCrc: flags.verifyCrc !== false,
    allowGlobals: flags.allowGlobal ?? [],
    unflatten: flags.unflatten === true,
    ...keyValueOptions(flags.option),
  };
}

/** `key=value` pairs as plugin options: true/false and numbers typed, the rest strings. */
export function keyValueOptions(pairs: readonly string[] | undefined): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const pair of pairs ?? []) {
    const at = pair.indexOf("=");
    const key = at < 0 ? pair : pair.slice(0, at);
    const text = at < 0 ? "true" : pair.slice(at + 1);
    options[key] = text === "true" ? true : text === "false" ? false : /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  }
  return options;
}
