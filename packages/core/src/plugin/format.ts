import type { DType } from "../model/dtype.js";
import type { NodeKind, Node, PyMap } from "../model/node.js";
import type { RandomAccessFile } from "../io/random-access-file.js";
import type { CodecPlugin } from "./codec.js";
import type { OptionSpec } from "./options.js";
import type { Reporter } from "./reporter.js";

/** The answer of a cheap look at a file's first bytes. */
export type Identification = "yes" | "no" | "maybe";

/** A decoded checkpoint: the neutral tree plus what the reader noticed about the file. */
export interface Checkpoint {
  root: PyMap;
  /** Facts about the container worth showing in `ckpt info` (header fields, versions). */
  info?: Record<string, Node>;
}

/** What a compressed layer around the container looks like, for formats that own compression. */
export interface CodecLayer {
  codec: CodecPlugin;
  level?: number;
}

export interface DecodeInput {
  /** The bytes to read: the file itself, or its decompressed copy. */
  file: RandomAccessFile;
  /** The path the user named, for messages. */
  name: string;
  /** The compression found around the file, given only to formats with `ownsCompression`. */
  codec?: CodecLayer;
  options: Readonly<Record<string, unknown>>;
  reporter: Reporter;
  /** Writes chunks to a temporary file that lives as long as the conversion and opens it. */
  spill(chunks: AsyncIterable<Uint8Array>): Promise<RandomAccessFile>;
  /**
   * Opens another checkpoint of any installed format and codec with the same plugins and
   * lifetime (a delta file needs its base).
   */
  openOther(path: string): Promise<{ checkpoint: Checkpoint; format: string }>;
}

export interface EncodeOutput {
  /** The path being written (its temp twin is what really receives the bytes), for messages. */
  name: string;
  /** The compression to apply, given only to formats with `ownsCompression`. */
  codec?: CodecLayer;
  options: Readonly<Record<string, unknown>>;
  reporter: Reporter;
}

/**
 * A checkpoint format: one reader and one writer to the neutral model (Pandoc-style,
 * so N formats need N plugins, not N×N converters).
 */
export interface FormatPlugin {
  readonly kind: "format";
  readonly id: string;
  /** File name endings, with the dot, most specific first: `.thalia`, `.pt`. */
  readonly extensions: readonly string[];
  /** Cheap check of the first bytes (at least 64 are given when the file has them). */
  identify?(head: Uint8Array): Identification;
  /** What the format stores natively; anything else must be carried in a side channel or refused. */
  readonly capabilities: {
    dtypes: readonly DType[];
    nodeKinds: readonly NodeKind[];
    /**
     * Tensor attributes (format hints outside the manifest, such as PyTorch's
     * `requiresGrad`) the writer keeps: their names, or "all". Absent: none. The pipeline
     * warns about every other attribute a converted tree carries.
     */
    tensorAttrs?: readonly string[] | "all";
  };
  readonly options?: readonly OptionSpec[];
  /** The format applies compression itself (Thalia hashes the compressed frame). */
  readonly ownsCompression?: boolean;
  decode(input: DecodeInput): Promise<Checkpoint>;
  /** The file's bytes in order; the pipeline writes them (and compresses them unless the format owns that). */
  encode(checkpoint: Checkpoint, output: EncodeOutput): AsyncIterable<Uint8Array>;
  /**
   * The exact length `encode` will produce, when it is cheap to know in advance; a
   * compressor then records it in its frame header.
   */
  encodedSize?(checkpoint: Checkpoint, output: EncodeOutput): Promise<number | undefined>;
}
