/** A plugin option, shown by `ckpt plugins` and accepted as `--option name=value`. */
export interface OptionSpec {
  readonly name: string;
  readonly type: "boolean" | "number" | "string";
  readonly description: string;
  readonly default?: boolean | number | string;
}
