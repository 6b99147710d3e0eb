import type { FormatPlugin } from "@ckpt/core";
import { identify } from "./identify.js";
import { decodeThalia } from "./read/decode.js";
import { encodeThalia } from "./write/encode.js";

/** Thalia's binary checkpoint container, version 0.1.0 (with its compressed variants). */
const thalia: FormatPlugin = {
  kind: "format",
  id: "thalia",
  extensions: [".thalia"],
  identify,
  capabilities: {
    // Stored natively: f32 f64 i32 i64 bool f16; the rest widened losslessly with `_dtype`.
    dtypes: ["f32", "f64", "i32", "i64", "bool", "f16", "bf16", "i8", "u8", "i16", "u16", "u32", "u64", "c64", "c128", "f8_e4m3", "f8_e5m2"],
    nodeKinds: ["map", "list", "tuple", "int", "float", "str", "bytes", "bool", "none", "tensor", "object"],
    // Tensor attributes travel as `_attrs` in the tensor reference, which the reference reader ignores.
    tensorAttrs: "all",
  },
  options: [
    { name: "verifyChecksum", type: "boolean", default: true, description: "check the SHA-256 trailer when reading" },
    { name: "sparseF16", type: "boolean", default: false, description: "write sparse f16 records like the reference writer (which its reader cannot load); off by default" },
    { name: "timestamp", type: "number", description: "header timestamp (Unix seconds) to write; default: metadata.timestamp, else now" },
  ],
  ownsCompression: true,
  decode: decodeThalia,
  encode: encodeThalia,
};

export default thalia;
