import { asCkptError } from "../errors.js";
import { FileRangeSource } from "../model/byte-source.js";
import type { CodecPlugin } from "../plugin/codec.js";
import type { Checkpoint, DecodeInput, FormatPlugin } from "../plugin/format.js";
import type { Reporter } from "../plugin/reporter.js";
import { RandomAccessFile } from "../io/random-access-file.js";
import type { TempScope } from "../io/temp-scope.js";
import type { Registry } from "../registry/registry.js";
import { HEAD_BYTES, detectCodec, detectFormat, stripCodecExtension } from "./detect.js";

export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  /** Format id of the content. */
  format: string;
  /** Codec id of the compression around it, or null. */
  codec: string | null;
  path: string;
  byteLength: number;
}

export interface OpenOptions {
  registry: Registry;
  scope: TempScope;
  reporter: Reporter;
  /** Options for the format plugin (`verifyChecksum`, `allowGlobals`, …). */
  formatOptions?: Readonly<Record<string, unknown>>;
}

/**
 * Opens a checkpoint of any installed format: finds the codec by magic (then ending),
 * peeks at the decompressed head to find the format, and decodes. Decompressed bodies
 * are spilled to a temp file of `scope` rather than held in memory. Every error names `path`.
 */
export async function openCheckpoint(path: string, options: OpenOptions): Promise<OpenedCheckpoint> {
  const { registry, scope, reporter } = options;
  try {
    const file = scope.adopt(await RandomAccessFile.open(path));
    const head = await file.head(HEAD_BYTES);
    const codecDescriptor = await detectCodec(registry, head, path);
    const decodeOptions = {
      name: path,
      options: options.formatOptions ?? {},
      reporter,
      spill: (c: AsyncIterable<Uint8Array>) => scope.spill(c),
      openOther: async (other: string) => {
        const opened = await openCheckpoint(other, { ...options, formatOptions: {} });
        return { checkpoint: opened.checkpoint, format: opened.format };
      },
    };

    if (!codecDescriptor) {
      const format = await detectFormat(registry, head, path);
      const checkpoint = await decodeWith(await registry.loadFormat(format.id), undefined, file, decodeOptions, scope);
      return { checkpoint, format: format.id, codec: null, path, byteLength: file.size };
    }

    const codec = await registry.loadCodec(codecDescriptor.id);
    // Only a prefix is decompressed to look inside, fed in small chunks so output comes early.
    const prefix = new FileRangeSource(file, 0, Math.min(file.size, PEEK_INPUT_BYTES)).chunks(PEEK_CHUNK_BYTES);
    const innerHead = await peek(codec.decompress()(prefix), HEAD_BYTES);
    const format = await detectFormat(registry, innerHead, stripCodecExtension(path, codec), path);
    const checkpoint = await decodeWith(await registry.loadFormat(format.id), codec, file, decodeOptions, scope);
    return { checkpoint, format: format.id, codec: codec.id, path, byteLength: file.size };
  } catch (error) {
    throw asCkptError(error, path);
  }
}

/**
 * Decodes `file` with a known format and codec: a format that owns compression gets the
 * compressed file and its codec; any other gets the decompressed body, spilled to `scope`.
 */
export function decodeWith(
  format: FormatPlugin,
  codec: CodecPlugin | undefined,
  file: RandomAccessFile,
  input: Omit<DecodeInput, "file" | "codec">,
  scope: TempScope,
): Promise<Checkpoint> {
  if (!codec) return format.decode({ ...input, file });
  if (format.ownsCompression) return format.decode({ ...input, file, codec: { codec } });
  return scope.spill(codec.decompress()(new FileRangeSource(file, 0, file.size).chunks())).then((body) => format.decode({ ...input, file: body }));
}

const PEEK_INPUT_BYTES = 1 << 20;
const PEEK_CHUNK_BYTES = 16 << 10;

/**
 * The first `count` decompressed bytes (fewer, possibly none, if the decompressor stops
 * early), then stops the decompressor. Its complaints about the cut-off input, or about a
 * trailer after the frame (Thalia's), do not matter here: the format is then told by the
 * name, and the real decode reports real damage.
 */
async function peek(stream: AsyncIterable<Uint8Array>, count: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let have = 0;
  const iterator = stream[Symbol.asyncIterator]();
  try {
    while (have < count) {
      const { value, done } = await iterator.next();
      if (done) break;
      parts.push(value);
      have += value.byteLength;
    }
  } catch {
    // see above: a partial head (or none) is all peeking promises
  } finally {
    await iterator.return?.().catch(() => undefined);
  }
  return Buffer.concat(parts).subarray(0, count);
}

