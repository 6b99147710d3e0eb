import type { Checkpoint } from "@ckpt/core";
import { dumpTorchPickle } from "@ckpt/pickle/torch";
import { unwrapRoot } from "../read/root.js";
import { writeZip, zipLayout, type ZipWriteEntry } from "../zip/write.js";

/** The folder every entry lives in; both PyTorch 1.13 and 2.x accept it. */
const FOLDER = "archive/";

const text = (name: string, content: string): ZipWriteEntry => {
  const bytes = Buffer.from(content, "utf8");
  return { name, size: bytes.byteLength, chunks: async function* () { yield bytes; } };
};

// One pickling per checkpoint, shared by encodedSize() and encode().
const planned = new WeakMap<Checkpoint, ZipWriteEntry[]>();

/**
 * The archive torch.save would write: `data.pkl` first (pickle protocol 2), `byteorder`,
 * one `data/<key>` per storage streamed from its tensor's source, then `version`.
 */
export function planEntries(checkpoint: Checkpoint): ZipWriteEntry[] {
  const known = planned.get(checkpoint);
  if (known) return known;
  const { pickle, storages } = dumpTorchPickle(unwrapRoot(checkpoint.root));
  const entries: ZipWriteEntry[] = [
    { name: `${FOLDER}data.pkl`, size: pickle.byteLength, chunks: async function* () { yield pickle; } },
    text(`${FOLDER}byteorder`, "little"),
    ...storages.map(({ key, tensor }) => ({ name: `${FOLDER}data/${key}`, size: tensor.byteLength, chunks: () => tensor.source.chunks() })),
    text(`${FOLDER}version`, "3\n"),
  ];
  planned.set(checkpoint, entries);
  return entries;
}

export async function* encodePt(checkpoint: Checkpoint): AsyncIterable<Uint8Array> {
  yield* writeZip(planEntries(checkpoint));
}

export async function encodedPtSize(checkpoint: Checkpoint): Promise<number> {
  return zipLayout(planEntries(checkpoint)).totalSize;
}
