import type { FormatPlugin } from "@ckpt/core";
import { NATIVE_DTYPES } from "./dtypes.js";
import { identify } from "./identify.js";
import { decodeSafetensors } from "./read/decode.js";
import { encodeSafetensors, encodedSafetensorsSize } from "./write/encode.js";

/** safetensors (Hugging Face): a JSON header and tensors back to back; see README for the tree mapping. */
const safetensors: FormatPlugin = {
  kind: "format",
  id: "safetensors",
  extensions: [".safetensors"],
  identify,
  capabilities: {
    // Tensors are native; every other node kind travels in __metadata__["ckpt.tree"].
    dtypes: NATIVE_DTYPES,
    nodeKinds: ["map", "list", "tuple", "int", "float", "str", "bytes", "bool", "none", "tensor", "object"],
    // Tensor attributes travel as "$attrs" in ckpt.tree; a flat file's __metadata__ rides as one of them.
    tensorAttrs: "all",
  },
  options: [
    { name: "unflatten", type: "boolean", default: false, description: "read dotted tensor names of a file without ckpt.tree as nested maps (its __metadata__ becomes `metadata`)" },
  ],
  decode: decodeSafetensors,
  encode: encodeSafetensors,
  encodedSize: encodedSafetensorsSize,
};

export default safetensors;
export { identify } from "./identify.js";
