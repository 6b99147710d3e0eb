"""An independent reader of Thalia containers, written from thalia-binary.md with
Python's json and PyTorch, standing in for Thalia's own BrainCheckpoint.load in tests.
It performs the checks the spec says the reference performs, rebuilds tensors with
torch (sparse COO through torch.sparse_coo_tensor, failing on sparse f16 as the
reference does), and prints the manifest of regions and pathways plus the metadata keys.

usage: /usr/bin/python3 reference_reader.py FILE [zstd|lz4]
"""
import hashlib, json, math, struct, sys

import torch

DTYPES = {0: torch.float32, 1: torch.float64, 2: torch.int32, 3: torch.int64, 4: torch.bool, 5: torch.float16}
SPARSE_DTYPES = {0: torch.float32, 1: torch.float64, 2: torch.int32, 3: torch.int64, 4: torch.bool}  # no f16: the reference's defect
NAMES = {torch.float32: "f32", torch.float64: "f64", torch.int32: "i32", torch.int64: "i64", torch.bool: "bool", torch.float16: "f16"}


def load(path, codec=None):
    data = open(path, "rb").read()
    body, trailer = data[:-32], data[-32:]
    if hashlib.sha256(body).digest() != trailer:
        raise ValueError("checksum mismatch")
    if codec == "zstd":
        import zstandard
        body = zstandard.ZstdDecompressor().decompress(body)
    elif codec == "lz4":
        import lz4.frame
        body = lz4.frame.decompress(body)
    if body[:4] != b"THAL":
        raise ValueError("bad magic")
    major, minor, patch, flags = struct.unpack_from("<4H", body, 4)
    if major > 0:
        raise ValueError("unsupported version")
    (timestamp, meta_off, meta_len, idx_off, idx_len, _c_off, _c_len, neurons, synapses, steps) = struct.unpack_from("<10Q", body, 12)
    num_regions, checksum_type = struct.unpack_from("<2I", body, 92)
    if checksum_type not in (0, 1) or num_regions == 0:
        raise ValueError("bad header")
    metadata = json.loads(body[meta_off:meta_off + meta_len].decode("utf-8"))
    regions, pathways = {}, {}
    for i in range(num_regions):
        entry = body[idx_off + 48 * i: idx_off + 48 * (i + 1)]
        name = entry[:32].rstrip(b"\0").decode("utf-8")
        off, length = struct.unpack_from("<2Q", entry, 32)
        state = restore(json.loads(body[off:off + length].decode("utf-8")), body)
        if name.startswith("pathway:"):
            pathways[name[len("pathway:"):]] = state
        else:
            regions[name] = state
    return {"metadata": metadata, "regions": regions, "pathways": pathways,
            "header": {"total_neurons": neurons, "total_synapses": synapses, "training_steps": steps}}


def restore(node, body):
    if isinstance(node, dict):
        if node.get("_type") == "tensor":
            return read_tensor(body, node["_offset"], node["_bytes"])
        return {k: restore(v, body) for k, v in node.items()}
    if isinstance(node, list):
        return [restore(v, body) for v in node]
    return node


def read_tensor(body, offset, nbytes):
    encoding, code, ndim = struct.unpack_from("<3I", body, offset)
    shape = list(struct.unpack_from(f"<{ndim}I", body, offset + 12))
    at = offset + 12 + 4 * ndim
    if encoding == 0:
        dtype = DTYPES[code]
        numel = math.prod(shape)
        size = torch.empty(0, dtype=dtype).element_size()
        raw = bytearray(body[at:at + numel * size])
        return torch.frombuffer(raw, dtype=dtype).reshape(shape) if numel else torch.empty(shape, dtype=dtype)
    if code not in SPARSE_DTYPES:
        raise ValueError(f"Unsupported dtype: {DTYPES.get(code)}")
    dtype = SPARSE_DTYPES[code]
    (nnz,) = struct.unpack_from("<Q", body, at)
    at += 8
    if nnz == 0:
        return torch.zeros(shape, dtype=dtype)
    indices = torch.frombuffer(bytearray(body[at:at + 8 * ndim * nnz]), dtype=torch.int64).reshape(ndim, nnz)
    at += 8 * ndim * nnz
    size = torch.empty(0, dtype=dtype).element_size()
    values = torch.frombuffer(bytearray(body[at:at + size * nnz]), dtype=dtype)
    return torch.sparse_coo_tensor(indices, values, shape).to_dense()


def manifest(node):
    if isinstance(node, torch.Tensor):
        t = node.contiguous()
        raw = t.numpy().tobytes() if t.dtype != torch.bool else t.to(torch.uint8).numpy().tobytes()
        return {"$tensor": {"dtype": NAMES[t.dtype], "shape": list(t.shape), "sha256": hashlib.sha256(raw).hexdigest()}}
    if isinstance(node, dict):
        return {str(k): manifest(v) for k, v in node.items()}
    if isinstance(node, list):
        return [manifest(v) for v in node]
    if isinstance(node, float) and not math.isfinite(node):
        return {"$float": "nan" if math.isnan(node) else ("inf" if node > 0 else "-inf")}
    return node


if __name__ == "__main__":
    loaded = load(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
    print(json.dumps({"tree": {"regions": manifest(loaded["regions"]), "pathways": manifest(loaded["pathways"])},
                      "metadata_keys": list(loaded["metadata"].keys()), "header": loaded["header"]}))
