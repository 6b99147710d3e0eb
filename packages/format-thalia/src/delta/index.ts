import { CkptError, type FormatPlugin } from "@ckpt/core";
import { DELTA_MAGIC } from "./header.js";
import { decodeDelta } from "./decode.js";

/** Thalia's delta checkpoints: read as the full state they describe (base + changes). */
const thaliaDelta: FormatPlugin = {
  kind: "format",
  id: "thalia-delta",
  extensions: [".delta.thalia"],
  identify: (head) => (DELTA_MAGIC.every((b, i) => head[i] === b) ? "yes" : "no"),
  capabilities: { dtypes: ["f32", "f64", "f16", "i64", "i32", "bool"], nodeKinds: ["map", "list", "tuple", "int", "float", "str", "bool", "none", "tensor", "object"] },
  options: [{ name: "base", type: "string", description: "the base checkpoint (default: the sibling file whose SHA-256 the delta names)" }],
  decode: decodeDelta,
  // eslint-disable-next-line require-yield
  async *encode() {
    throw new CkptError("UNSUPPORTED", "ckpt reads Thalia deltas but does not write them; write a full .thalia instead");
  },
};

export default thaliaDelta;
