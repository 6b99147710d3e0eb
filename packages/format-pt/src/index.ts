import type { FormatPlugin } from "@ckpt/core";
import { identify } from "./identify.js";
import { decodePt } from "./read/decode.js";
import { encodePt, encodedPtSize } from "./write/encode.js";

/** PyTorch checkpoints: torch.save zips (and legacy files, read only), never executed. */
const pt: FormatPlugin = {
  kind: "format",
  id: "pt",
  extensions: [".pt", ".pth", ".ckpt", ".bin"],
  identify,
  capabilities: {
    dtypes: ["f64", "f32", "f16", "bf16", "i64", "i32", "i16", "i8", "u8", "bool", "c64", "c128", "u16", "u32", "u64", "f8_e4m3", "f8_e5m2"],
    nodeKinds: ["map", "list", "tuple", "int", "float", "str", "bytes", "bool", "none", "tensor", "object"],
    // What the pickle reader records and the writer pickles back (Parameter, requires_grad, _rebuild_tensor_v2 metadata, Python state).
    tensorAttrs: ["parameter", "requiresGrad", "metadata", "state"],
  },
  options: [
    { name: "verifyCrc", type: "boolean", default: true, description: "check every zip entry's CRC-32 when reading (torch itself does not)" },
    { name: "allowGlobals", type: "string", description: "globals a pickle may name (module.Name); kept as opaque objects, never called" },
  ],
  decode: decodePt,
  encode: (checkpoint) => encodePt(checkpoint),
  encodedSize: encodedPtSize,
};

export default pt;
