import { mapTensors, dottedPath, type PyMap } from "../model/node.js";
import { castTensor } from "../precision/cast.js";
import { targetDType, type PrecisionPolicy } from "../precision/policy.js";

/** One tensor a precision step changed. */
export interface PrecisionChange {
  path: string;
  from: string;
  to: string;
  bytesBefore: number;
  bytesAfter: number;
}

/**
 * The precision stage: every float tensor gets the dtype the policy gives its path.
 * Conversion is lazy (done when the writer streams the tensor); the changes are
 * returned so the report can list each one and the bytes saved.
 */
export function applyPrecision(root: PyMap, policy: PrecisionPolicy): { root: PyMap; changes: PrecisionChange[] } {
  const changes: PrecisionChange[] = [];
  const out = mapTensors(root, (tensor, path) => {
    const name = dottedPath(path);
    const target = targetDType(policy, name, tensor);
    if (!target || target === tensor.dtype) return tensor;
    const cast = castTensor(tensor, target);
    changes.push({ path: name, from: tensor.dtype, to: target, bytesBefore: tensor.byteLength, bytesAfter: cast.byteLength });
    return cast;
  }) as PyMap;
  return { root: out, changes };
}
