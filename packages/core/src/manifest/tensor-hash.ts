import { createHash } from "node:crypto";
import type { Tensor } from "../model/tensor.js";

/** SHA-256 of a tensor's contiguous bytes, streamed so a large tensor is never held twice. */
export async function tensorSha256(tensor: Tensor): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of tensor.source.chunks()) hash.update(chunk);
  return hash.digest("hex");
}
