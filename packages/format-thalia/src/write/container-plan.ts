import { CkptError, attrsAsMap, dumpPythonJson, walkTensors, type Node, type PyMap, type Tensor } from "@ckpt/core";
import { CHECKSUM_SHA256, HEADER_SIZE, INDEX_ENTRY_SIZE, PATHWAY_PREFIX, STATE_PREFIX, VERSION } from "../container/layout.js";
import { serializeHeader } from "../container/header.js";
import { serializeIndex } from "../container/region-index.js";
import { toJsonTree } from "../tree/json-tree.js";
import { composeMetadata } from "../tree/metadata.js";
import { precisionStats } from "../tree/precision-stats.js";
import { assignIndexNames } from "../tree/index-names.js";
import { planTensor, type TensorPlan } from "./tensor-plan.js";

/** One index entry to write: its tensors (records first) and then its JSON. */
export interface EntryPlan {
  indexName: string;
  tensors: TensorPlan[];
  json: Uint8Array;
}

/** Everything about the file that must be known before its first byte is written. */
export interface ContainerPlan {
  header: Uint8Array;
  metadataJson: Uint8Array;
  entries: EntryPlan[];
  index: Uint8Array;
  /** Header through index: what the trailer hashes (or the compressor receives). */
  bodySize: number;
}

export interface PlanOptions {
  /** Header timestamp in Unix seconds; by default taken from metadata.timestamp, else now. */
  timestamp?: number | bigint;
  now?: Date;
  /** Write sparse f16 records as the reference writer does (its own reader cannot load them). */
  sparseF16?: boolean;
}

const utf8 = (text: string) => Buffer.from(text, "utf8");
const render = (value: Node) => dumpPythonJson(value, 2);

/**
 * Lays the checkpoint out as the reference writer does: header, metadata JSON, then per
 * region / pathway / state entry its tensor records followed by its JSON, then the index.
 * Tensors are scanned once here (dense or sparse) and streamed again when written.
 */
export async function planContainer(root: PyMap, options: PlanOptions, file: string): Promise<ContainerPlan> {
  const metadataNode = root.get("metadata") ?? new Map();
  if (!(metadataNode instanceof Map)) throw new CkptError("UNSUPPORTED", "Thalia metadata must be a map", { file });
  const metadata = metadataNode as PyMap;
  for (const _ of walkTensors(metadata)) throw new CkptError("UNSUPPORTED", "Thalia metadata cannot hold tensors", { file });

  const groups: { prefix: string; map: PyMap }[] = [];
  const stateOrder: string[] = [];
  const metadataState = new Map<string, Node>();
  const stateEntries: [string, Node][] = [];
  for (const [key, value] of root) {
    if (typeof key !== "string") throw new CkptError("UNSUPPORTED", `Thalia checkpoints need string keys at the root, not ${String(key)}`, { file });
    if (key === "metadata") continue;
    if ((key === "regions" || key === "pathways") && value instanceof Map) {
      groups.push({ prefix: key === "pathways" ? PATHWAY_PREFIX : "", map: value });
      continue;
    }
    stateOrder.push(key);
    const hasTensors = !walkTensors(value).next().done;
    // A state key lives in the metadata JSON unless it holds tensors or would clash with a metadata key.
    if (hasTensors || metadata.has(key) || key === "state_keys" || key === "region_names" || key === "ckpt_metadata") stateEntries.push([key, value]);
    else metadataState.set(key, value);
  }
  // Keys the tree lacks but the container always has, so a reader can leave them out again.
  const absent = ["metadata", "regions", "pathways"].filter((k) => !root.has(k));

  const named: { full: string; tree: Node }[] = [];
  for (const group of groups.sort((a, b) => (a.prefix === "" ? -1 : 1) - (b.prefix === "" ? -1 : 1))) {
    for (const [name, tree] of group.map) {
      if (typeof name !== "string") throw new CkptError("UNSUPPORTED", `region and pathway names must be strings, not ${String(name)}`, { file });
      named.push({ full: group.prefix + name, tree });
    }
  }
  for (const [key, tree] of stateEntries) named.push({ full: STATE_PREFIX + key, tree });
  if (named.length === 0) throw new CkptError("UNSUPPORTED", "a Thalia file needs at least one region, pathway or tensor-holding state entry", { file });
  const { indexNames, regionNames } = assignIndexNames(named.map((n) => n.full));

  const statTensors: Tensor[] = [];
  for (const group of groups) for (const { tensor } of walkTensors(group.map)) statTensors.push(tensor);
  const metadataJsonTree = composeMetadata({
    metadata, metadataState, stateOrder, absent, regionNames,
    precisionStats: precisionStats(statTensors),
    now: options.now ?? new Date(),
    render,
  });
  const metadataJson = utf8(render(toJsonTree(metadataJsonTree, () => { throw new Error("unreachable: tensors in metadata"); })));

  let position = HEADER_SIZE + metadataJson.byteLength;
  const entries: EntryPlan[] = [];
  const indexEntries: { name: string; offset: number; length: number }[] = [];
  for (let i = 0; i < named.length; i++) {
    const pending: { tensor: Tensor; ref: PyMap }[] = [];
    const jsonTree = toJsonTree(named[i]!.tree, (tensor) => {
      const ref: PyMap = new Map<string, Node>([["_type", "tensor"], ["_offset", 0n], ["_bytes", 0n]]);
      pending.push({ tensor, ref });
      return ref;
    });
    const tensors: TensorPlan[] = [];
    for (const { tensor, ref } of pending) {
      const plan = await planTensor(tensor, { sparseF16: options.sparseF16 === true });
      ref.set("_offset", BigInt(position));
      ref.set("_bytes", BigInt(plan.recordBytes));
      if (plan.original) ref.set("_dtype", plan.original);
      // Format hints (a PyTorch Parameter flag): ignored by the reference reader, like _dtype.
      const attrs = attrsAsMap(tensor);
      if (attrs) ref.set("_attrs", toJsonTree(attrs, () => { throw new CkptError("UNSUPPORTED", "a tensor attribute holds a tensor", { file }); }));
      position += plan.recordBytes;
      tensors.push(plan);
    }
    const json = utf8(render(jsonTree));
    indexEntries.push({ name: indexNames[i]!, offset: position, length: json.byteLength });
    entries.push({ indexName: indexNames[i]!, tensors, json });
    position += json.byteLength;
  }
  const index = serializeIndex(indexEntries);

  const header = serializeHeader({
    ...VERSION,
    flags: 0,
    timestamp: BigInt(options.timestamp ?? timestampOf(metadataJsonTree.get("timestamp"), options.now)),
    metadataOffset: HEADER_SIZE,
    metadataLength: metadataJson.byteLength,
    regionIndexOffset: position,
    regionIndexLength: named.length * INDEX_ENTRY_SIZE,
    connectivityOffset: 0,
    connectivityLength: 0,
    ...headerTotals(root),
    trainingSteps: nonNegativeInt(metadataJsonTree.get("training_steps")),
    numRegions: named.length,
    checksumType: CHECKSUM_SHA256,
  });
  return { header, metadataJson, entries, index, bodySize: position + index.byteLength };
}

/** total_neurons: membrane sizes of the regions; total_synapses: sizes under the v1 `weights` key. */
function headerTotals(root: PyMap): { totalNeurons: bigint; totalSynapses: bigint } {
  let totalNeurons = 0n;
  let totalSynapses = 0n;
  const regions = root.get("regions");
  if (regions instanceof Map) {
    for (const region of regions.values()) {
      if (!(region instanceof Map)) continue;
      const neurons = region.get("neuron_state");
      const membrane = neurons instanceof Map ? neurons.get("membrane") : undefined;
      if (membrane && typeof membrane === "object" && "numel" in membrane) totalNeurons += BigInt((membrane as Tensor).numel);
      const weights = region.get("weights");
      if (weights instanceof Map) {
        for (const w of weights.values()) if (w && typeof w === "object" && "numel" in w) totalSynapses += BigInt((w as Tensor).numel);
      }
    }
  }
  return { totalNeurons, totalSynapses };
}

function timestampOf(iso: Node | undefined, now: Date | undefined): number {
  const parsed = typeof iso === "string" ? Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`) : NaN;
  return Math.floor((Number.isNaN(parsed) ? (now ?? new Date()).getTime() : parsed) / 1000);
}

function nonNegativeInt(value: Node | undefined): bigint {
  return typeof value === "bigint" && value >= 0n && value < 2n ** 64n ? value : 0n;
}
