import {
  CkptError, FileRangeSource, JsonSyntaxError, attrsFromMap, isDType, parsePythonJson,
  type Checkpoint, type DecodeInput, type Node, type PyMap, type RandomAccessFile, type Tensor,
} from "@ckpt/core";
import { HEADER_SIZE, PATHWAY_PREFIX, STATE_PREFIX, TRAILER_SIZE } from "../container/layout.js";
import { parseHeader, type Header } from "../container/header.js";
import { parseIndex } from "../container/region-index.js";
import { readTensorRecord } from "../container/tensor-record.js";
import { fromJsonTree, type TensorRef } from "../tree/json-tree.js";
import { REFERENCE_MOVED_KEYS, restoreMetadata } from "../tree/metadata.js";
import { narrow } from "../tree/widen.js";
import { verifyTrailer } from "./trailer.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a Thalia container into the neutral tree: `{metadata, regions, pathways}` plus the
 * state keys the metadata says were state. Tensors stay lazy file ranges.
 */
export async function decodeThalia(input: DecodeInput): Promise<Checkpoint> {
  const name = input.name;
  const verify = input.options.verifyChecksum !== false;
  if (input.file.size === 0) throw new CkptError("CORRUPT", "file is empty", { file: name });

  let body: RandomAccessFile;
  let bodySize: number;
  if (input.codec) {
    // Compressed: frame || sha256(frame). The trailer is checked before decompressing.
    if (verify) await verifyTrailer(input.file, name);
    const frame = new FileRangeSource(input.file, 0, Math.max(0, input.file.size - TRAILER_SIZE));
    body = await input.spill(input.codec.codec.decompress()(frame.chunks()));
    bodySize = body.size;
  } else {
    body = input.file;
    bodySize = Math.max(0, body.size - TRAILER_SIZE);
  }

  const header = parseHeader(await body.read(0, Math.min(HEADER_SIZE, body.size)), bodySize, name);
  if (!input.codec && verify && header.checksumType !== 0) await verifyTrailer(body, name);
  if (!verify) input.reporter.warn(`${name}: SHA-256 trailer not verified (--no-verify-checksum)`);

  const metadataJson = await parseJsonAt(body, header.metadataOffset, header.metadataLength, "metadata", name);
  if (!(metadataJson instanceof Map)) throw new CkptError("CORRUPT", "metadata JSON is not an object", { file: name });
  const restored = restoreMetadata((await fromJsonTree(metadataJson, () => noTensorsIn("metadata", name))) as PyMap);

  const resolve = async (ref: TensorRef): Promise<Tensor> => {
    const stored = await readTensorRecord(body, ref, name);
    const attrs = ref.attrs && attrsFromMap((await fromJsonTree(ref.attrs, () => noTensorsIn("a tensor's _attrs", name))) as PyMap);
    const tensor = attrs ? stored.with({ attrs }) : stored;
    if (ref.dtype === undefined) return tensor;
    if (!isDType(ref.dtype)) throw new CkptError("CORRUPT", `tensor at offset ${ref.offset} records unknown original dtype "${ref.dtype}"`, { file: name });
    return narrow(tensor, ref.dtype, name);
  };

  const regions: PyMap = new Map();
  const pathways: PyMap = new Map();
  const stateEntries = new Map<string, Node>();
  const entries = parseIndex(await body.read(header.regionIndexOffset, header.regionIndexLength), bodySize, name);
  for (const entry of entries) {
    const full = restored.regionNames.get(entry.name) ?? entry.name;
    const json = await parseJsonAt(body, entry.offset, entry.length, `region "${entry.name}"`, name);
    const tree = await fromJsonTree(json, resolve);
    if (full.startsWith(PATHWAY_PREFIX)) pathways.set(full.slice(PATHWAY_PREFIX.length), tree);
    else if (full.startsWith(STATE_PREFIX)) stateEntries.set(full.slice(STATE_PREFIX.length), tree);
    else regions.set(full, tree);
  }

  const root: PyMap = new Map();
  if (!restored.absent.includes("metadata")) root.set("metadata", restored.metadata);
  if (!restored.absent.includes("regions")) root.set("regions", regions);
  if (!restored.absent.includes("pathways")) root.set("pathways", pathways);
  const order = restored.stateOrder ?? [...REFERENCE_MOVED_KEYS, ...stateEntries.keys()];
  for (const key of order) {
    if (restored.state.has(key)) root.set(key, restored.state.get(key)!);
    else if (stateEntries.has(key)) root.set(key, stateEntries.get(key)!);
  }
  return { root, info: containerInfo(header, restored.rawKeys, verify) };
}

async function parseJsonAt(body: RandomAccessFile, offset: number, length: number, what: string, file: string): Promise<Node> {
  let text: string;
  try {
    text = utf8.decode(await body.read(offset, length));
  } catch (error) {
    if (error instanceof CkptError) throw error;
    throw new CkptError("CORRUPT", `${what} JSON is not valid UTF-8`, { file });
  }
  try {
    return parsePythonJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new CkptError("CORRUPT", `${what} ${error.message}`, { file });
    throw error;
  }
}

function noTensorsIn(what: string, file: string): never {
  throw new CkptError("CORRUPT", `${what} JSON refers to a tensor record`, { file });
}

function containerInfo(header: Header, metadataKeys: string[], verified: boolean): Record<string, Node> {
  return {
    container_version: `${header.major}.${header.minor}.${header.patch}`,
    timestamp: header.timestamp,
    total_neurons: header.totalNeurons,
    total_synapses: header.totalSynapses,
    training_steps: header.trainingSteps,
    index_entries: BigInt(header.numRegions),
    checksum: header.checksumType === 1 ? (verified ? "sha256 verified" : "sha256 not verified") : "none",
    metadata_keys: metadataKeys,
  };
}
