import { CkptError, type Checkpoint, type DecodeInput, type Node } from "@ckpt/core";
import { loadLegacyTorch, loadTorchPickle } from "@ckpt/pickle/torch";
import { isLegacy, isZip } from "../identify.js";
import { entrySource, readZip, verifyCrc } from "../zip/read.js";
import { wrapRoot } from "./root.js";

const utf8 = new TextDecoder();

/**
 * Reads a PyTorch checkpoint without executing anything: the zip container (or the
 * legacy format), then `data.pkl` through the safe pickle machine, whose storages are
 * lazy ranges of the `data/<key>` entries.
 */
export async function decodePt(input: DecodeInput): Promise<Checkpoint> {
  const { file, name } = input;
  const allowGlobals = asStrings(input.options.allowGlobals);
  const head = await file.head(16);
  if (isLegacy(head)) {
    const root = loadLegacyTorch(await file.read(0, file.size), { allowGlobals, fileName: name });
    return { root: wrapRoot(root), info: { container: "legacy torch.save (before 1.6)" } };
  }
  if (!isZip(head)) {
    throw new CkptError("CORRUPT", `not a PyTorch checkpoint: neither a zip archive nor a legacy torch.save file (starts with ${hex(head)})`, { file: name });
  }

  const archive = await readZip(file, name);
  const { prefix, byName } = archive;
  if (byName.has(`${prefix}constants.pkl`) || archive.entries.some((e) => e.name.startsWith(`${prefix}code/`))) {
    throw new CkptError("UNSUPPORTED", "this is a TorchScript archive (torch.jit.save), not a checkpoint: it holds code, not just state", { file: name });
  }
  const dataPkl = byName.get(`${prefix}data.pkl`);
  if (!dataPkl) throw new CkptError("CORRUPT", `the archive has no ${prefix}data.pkl, so it is not a torch.save checkpoint`, { file: name });
  const byteorder = byName.get(`${prefix}byteorder`);
  const order = byteorder ? utf8.decode(await entrySource(file, byteorder, name).read()).trim() : "little";
  if (order !== "little") throw new CkptError("UNSUPPORTED", `tensors are stored ${order}-endian; only little-endian checkpoints are supported`, { file: name });
  if (input.options.verifyCrc !== false) {
    for (const entry of archive.entries) await verifyCrc(file, entry, name);
  }

  const root: Node = loadTorchPickle(await entrySource(file, dataPkl, name).read(), {
    fileName: name,
    allowGlobals,
    storage: (key) => {
      const entry = byName.get(`${prefix}data/${key}`);
      return entry ? entrySource(file, entry, name) : undefined;
    },
  });
  const version = byName.get(`${prefix}version`) ?? byName.get(`${prefix}.data/version`);
  return {
    root: wrapRoot(root),
    info: {
      container: "zip (torch ≥ 1.6)",
      folder: prefix,
      entries: BigInt(archive.entries.length),
      serialization_version: version ? utf8.decode(await entrySource(file, version, name).read()).trim() : "unknown",
      byteorder: order,
      crc: input.options.verifyCrc === false ? "not verified" : "verified",
    },
  };
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.subarray(0, 8)).toString("hex").replace(/(..)/g, "$1 ").trim();
}
