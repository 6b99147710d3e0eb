import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Debian's Python with PyTorch 1.13 (the interop oracle), not whatever python3 is first on PATH. */
export const PYTHON = "/usr/bin/python3";

let torchChecked: boolean | undefined;

/**
 * Is the oracle there? Tests that need it are skipped (with this reason) when not —
 * except in CI, where a missing oracle must fail the run instead of hiding it.
 */
export function torchMissing(): string | false {
  if (torchChecked === undefined) {
    torchChecked = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
    if (!torchChecked && process.env.CI === "true") throw new Error(`${PYTHON} with torch is missing in CI (scripts/install-oracles.sh)`);
  }
  return torchChecked ? false : `${PYTHON} with torch is not installed (scripts/install-oracles.sh)`;
}

/** Runs a Python script with the oracle and returns its stdout parsed as JSON. */
export function python<T = unknown>(script: string, input?: Uint8Array): T {
  const run = spawnSync(PYTHON, ["-c", script], { input, maxBuffer: 256 << 20, encoding: "buffer" });
  if (run.status !== 0) throw new Error(`python failed: ${run.stderr.toString()}`);
  return JSON.parse(run.stdout.toString("utf8")) as T;
}

/** Python helpers shared by the scripts: tensor digests and a tagged JSON form of values. */
export const PY_PRELUDE = String.raw`
import hashlib, json, math, pickle, sys, io, collections
def digest(t):
    import torch
    t = t.detach()
    if t.is_sparse: t = t.to_dense()
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        raw = t.view(torch.int16).numpy().tobytes()
    else:
        raw = t.numpy().tobytes()
    return {"$tensor": {"dtype": DT[str(t.dtype)], "shape": list(t.shape), "sha256": hashlib.sha256(raw).hexdigest()}}
DT = {"torch.float64": "f64", "torch.float32": "f32", "torch.float16": "f16", "torch.bfloat16": "bf16",
      "torch.int64": "i64", "torch.int32": "i32", "torch.int16": "i16", "torch.int8": "i8", "torch.uint8": "u8",
      "torch.bool": "bool", "torch.complex64": "c64", "torch.complex128": "c128"}
def tag(v):
    import torch
    if isinstance(v, torch.Tensor): return digest(v)
    if v is None or isinstance(v, bool): return v
    if isinstance(v, int): return {"int": str(v)}
    if isinstance(v, float): return {"float": repr(v)}
    if isinstance(v, str): return v
    if isinstance(v, (bytes, bytearray)): return {"bytes": bytes(v).hex()}
    if isinstance(v, collections.OrderedDict): return {"odict": [[tag(k), tag(x)] for k, x in v.items()]}
    if isinstance(v, dict): return {"dict": [[tag(k), tag(x)] for k, x in v.items()]}
    if isinstance(v, list): return {"list": [tag(x) for x in v]}
    if isinstance(v, tuple): return {"tuple": [tag(x) for x in v]}
    if isinstance(v, frozenset): return {"frozenset": [tag(x) for x in v]}
    if isinstance(v, set): return {"set": [tag(x) for x in v]}
    if isinstance(v, complex): return {"complex": [tag(v.real), tag(v.imag)]}
    raise TypeError(type(v))
`;
