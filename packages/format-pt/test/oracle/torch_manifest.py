"""The canonical manifest (model.md §4) of a file as PyTorch loads it: the oracle that
ckpt's own manifest is compared with. Can also save a state built here with torch.save.

usage: /usr/bin/python3 torch_manifest.py load FILE [--weights-only]
       /usr/bin/python3 torch_manifest.py save FILE        (saves the built test state)
"""
import base64, collections, hashlib, json, math, sys

import torch

NAMES = {torch.float64: "f64", torch.float32: "f32", torch.float16: "f16", torch.bfloat16: "bf16",
         torch.int64: "i64", torch.int32: "i32", torch.int16: "i16", torch.int8: "i8", torch.uint8: "u8",
         torch.bool: "bool", torch.complex64: "c64", torch.complex128: "c128"}


def tensor_bytes(t):
    t = t.detach()
    if t.is_sparse:
        t = t.to_dense()
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    if t.dtype == torch.bool:
        return t.to(torch.uint8).numpy().tobytes()
    return t.numpy().tobytes()


def manifest(v):
    if isinstance(v, torch.Tensor):
        return {"$tensor": {"dtype": NAMES[v.dtype], "shape": list(v.shape), "sha256": hashlib.sha256(tensor_bytes(v)).hexdigest()}}
    if isinstance(v, dict):
        return {str(k): manifest(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [manifest(x) for x in v]
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return str(v) if isinstance(v, str) else v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        if math.isnan(v):
            return {"$float": "nan"}
        if math.isinf(v):
            return {"$float": "inf" if v > 0 else "-inf"}
        return v
    if isinstance(v, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(v)).decode()}
    return {"$object": type(v).__module__ + "." + type(v).__qualname__}


def built_state():
    """Every dtype torch 1.13 has, views, 0-dim, empty, nested containers, big ints, NaN."""
    g = torch.Generator().manual_seed(3)
    base = torch.randn(6, 5, generator=g)
    state = collections.OrderedDict()
    for dtype in [torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.complex64, torch.complex128]:
        state[str(dtype)] = torch.randn(3, 4, generator=g).to(dtype)
    for dtype in [torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8]:
        state[str(dtype)] = torch.randint(-100 if dtype != torch.uint8 else 0, 100, (7,), generator=g).to(dtype)
    state["bool"] = torch.tensor([True, False, True])
    state["base"] = base
    state["row_view"] = base[2]
    state["col_view"] = base[:, 3]
    state["transposed"] = base.t()
    state["strided"] = base[::2, 1::2]
    state["expanded"] = torch.tensor([1.5]).expand(4)
    state["scalar"] = torch.tensor(3.25)
    state["empty"] = torch.empty(0, 3)
    state["param"] = torch.nn.Parameter(torch.ones(2, 2))
    state["nested"] = {"list": [1, 2.0, [torch.arange(3), None]], "tuple": (1, "two", (3.0,)), "big": 2 ** 62 + 1,
                       "neg_big": -(2 ** 63), "huge": 10 ** 30, "nan": float("nan"), "inf": float("-inf"), "zero": -0.0,
                       "unicode": "Δθ ok", "int_keys": {1: "a", (2, 3): "b", None: "c"}}
    return state


if __name__ == "__main__":
    command, path = sys.argv[1], sys.argv[2]
    if command == "save":
        torch.save(built_state(), path)
    else:
        loaded = torch.load(path, weights_only="--weights-only" in sys.argv)
        print(json.dumps({"tree": manifest(loaded), "type": type(loaded).__module__ + "." + type(loaded).__qualname__}))
