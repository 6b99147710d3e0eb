import { realpath } from "node:fs/promises";
import { resolve } from "node:path";
import { CkptError, asCkptError } from "../errors.js";
import { walkTensors, type PyMap } from "../model/node.js";
import { RandomAccessFile } from "../io/random-access-file.js";
import type { CodecPlugin } from "../plugin/codec.js";
import type { FormatPlugin } from "../plugin/format.js";
import { verifyConversion } from "../diff/verify.js";
import { reportProgress, silentReporter, type Reporter } from "../plugin/reporter.js";
import type { Checkpoint } from "../plugin/format.js";
import type { PrecisionPolicy } from "../precision/policy.js";
import { TempScope } from "../io/temp-scope.js";
import { writeAtomically } from "../io/atomic-write.js";
import { Registry } from "../registry/registry.js";
import { detectSchema, findMigrationPath, runMigrations } from "../migrate/chain.js";
import { decodeWith, openCheckpoint } from "./open.js";
import { targetFromName } from "./detect.js";
import { applyPrecision } from "./precision-stage.js";
import { unkeptTensorAttrs } from "./tensor-attrs.js";
import type { ConversionReport } from "./report.js";

export interface ConvertOptions {
  /** Plugins to use; discovered from the current folder when absent. */
  registry?: Registry;
  /** Output format id, when the destination's name does not say. */
  format?: string;
  /** Output codec id, or null for none, when the destination's name does not say. */
  codec?: string | null;
  /** Compression level for the codec. */
  level?: number;
  /** Schema version to migrate to before writing. */
  toSchema?: string;
  /** Precision policy to apply before writing (lossy steps are reported). */
  precision?: PrecisionPolicy;
  /** Overwrite an existing destination. */
  force?: boolean;
  /** Options for the reading plugin (`verifyChecksum: false`, `allowGlobals`, …). */
  readOptions?: Record<string, unknown>;
  /** Options for the writing plugin. */
  writeOptions?: Record<string, unknown>;
  /**
   * Read the written file back before it is renamed into place and compare it with the
   * source (as decoded and migrated, before precision): exact, except the tensors the
   * precision step changed, whose errors are reported. A mismatch fails with INVALID and
   * leaves no destination.
   */
  verify?: boolean;
  reporter?: Reporter;
}

/**
 * Converts a checkpoint file: decode → migrate → precision → encode → compress, then an
 * atomic write (temp file in the destination folder, fsync, rename). The source is only
 * read; on any failure the destination is left as it was.
 */
export async function convert(src: string, dst: string, options: ConvertOptions = {}): Promise<ConversionReport> {
  const started = performance.now();
  const registry = options.registry ?? (await Registry.discover());
  const outer = options.reporter ?? silentReporter;
  const report: ConversionReport = {
    source: { path: src, format: "", codec: null, bytes: 0 },
    destination: { path: dst, format: "", codec: null, bytes: 0 },
    steps: [], lossy: [], warnings: [], precision: [], tensors: 0, tensorBytes: 0, seconds: 0,
  };
  const reporter: Reporter = {
    progress: (label, done, total) => outer.progress(label, done, total),
    warn: (message) => { report.warnings.push(message); outer.warn(message); },
    lossy: (message) => { report.lossy.push(message); outer.lossy(message); },
  };

  await refuseSameFile(src, dst);
  const target = targetFromName(registry, dst, { ...(options.format && { format: options.format }), ...(options.codec !== undefined && { codec: options.codec }) });
  const scope = new TempScope();
  try {
    const opened = await openCheckpoint(src, { registry, scope, reporter, formatOptions: options.readOptions ?? {} });
    report.source = { path: src, format: opened.format, codec: opened.codec, bytes: opened.byteLength };
    report.steps.push(`decode ${opened.format}${opened.codec ? ` (${opened.codec})` : ""}`);
    let root = opened.checkpoint.root;

    if (options.toSchema !== undefined) root = await migrate(registry, root, options.toSchema, report, src);
    const beforePrecision = root; // tensors are lazy: keeping this costs nothing

    if (options.precision) {
      const { root: converted, changes } = applyPrecision(root, options.precision);
      root = converted;
      report.precision = changes;
      report.steps.push(`precision ${options.precision.name}`);
      const narrowed = changes.filter((c) => c.bytesAfter < c.bytesBefore);
      if (narrowed.length > 0) {
        const saved = narrowed.reduce((sum, c) => sum + c.bytesBefore - c.bytesAfter, 0);
        reporter.lossy(`precision ${options.precision.name}: ${narrowed.length} tensor(s) narrowed, ${saved} bytes saved`);
      }
    }

    const format = await registry.loadFormat(target.format.id);
    const codec = target.codec ? await registry.loadCodec(target.codec.id) : undefined;
    const layer = codec ? { codec, ...(options.level !== undefined && { level: options.level }) } : undefined;
    if (codec && options.level !== undefined && (options.level < codec.levels.min || options.level > codec.levels.max)) {
      throw new CkptError("USAGE", `level ${options.level} is outside ${codec.id}'s range ${codec.levels.min}–${codec.levels.max}`);
    }
    const checkpoint: Checkpoint = { root };
    for (const { tensor } of walkTensors(root)) {
      report.tensors++;
      report.tensorBytes += tensor.byteLength;
    }
    for (const [name, count] of unkeptTensorAttrs(root, format)) {
      reporter.warn(`${format.id} does not keep the tensor attribute "${name}" (on ${count} tensor${count === 1 ? "" : "s"}); the values are written, the attribute is not`);
    }
    const output = { name: dst, options: options.writeOptions ?? {}, reporter, ...(format.ownsCompression && layer && { codec: layer }) };
    // Progress counts uncompressed bytes; a format that compresses itself reports its own.
    let bytes = format.ownsCompression ? format.encode(checkpoint, output) : reportProgress(format.encode(checkpoint, output), reporter, report.tensorBytes);
    if (layer && !format.ownsCompression) {
      const contentSize = await format.encodedSize?.(checkpoint, output);
      bytes = layer.codec.compress({ ...(layer.level !== undefined && { level: layer.level }), ...(contentSize !== undefined && { contentSize }) })(bytes);
    }
    report.steps.push(`encode ${format.id}${codec ? ` (${codec.id})` : ""}`);

    const verify = async (temp: string): Promise<void> => {
      reporter.progress("verify", 0, report.tensorBytes);
      const readBack = await decodeWritten(temp, dst, format, codec, scope, reporter);
      let verified = 0;
      const result = await verifyConversion(beforePrecision, readBack, report.precision, root, {
        onTensor: (tensor) => reporter.progress("verify", (verified += tensor.byteLength), report.tensorBytes),
      });
      report.verification = result;
      report.steps.push("verify");
      reporter.progress("verify", report.tensorBytes, report.tensorBytes);
      if (!result.ok) {
        const more = result.failures.length > 1 ? ` (and ${result.failures.length - 1} more)` : "";
        throw new CkptError("INVALID", `verification failed, nothing was written: ${result.failures[0]}${more}`, { file: dst });
      }
    };
    const written = await writeAtomically(dst, bytes, { force: options.force ?? false, ...(options.verify && { beforeRename: verify }) });
    report.destination = { path: dst, format: format.id, codec: codec?.id ?? null, bytes: written };
    report.seconds = (performance.now() - started) / 1000;
    return report;
  } catch (error) {
    const named = asCkptError(error);
    throw named.file ? named : named.withFile(dst);
  } finally {
    await scope.close();
  }
}

/**
 * Decodes the just-written temp file with the plugins that wrote it (its name does not
 * end like the destination's, so nothing is detected from it); messages name `dst`.
 */
async function decodeWritten(temp: string, dst: string, format: FormatPlugin, codec: CodecPlugin | undefined, scope: TempScope, reporter: Reporter): Promise<PyMap> {
  const file = scope.adopt(await RandomAccessFile.open(temp));
  const input = {
    name: dst,
    options: {},
    reporter,
    spill: (c: AsyncIterable<Uint8Array>) => scope.spill(c),
    openOther: () => Promise.reject(new CkptError("UNSUPPORTED", "a written file cannot refer to another file", { file: dst })),
  };
  return (await decodeWith(format, codec, file, input, scope)).root;
}

async function migrate(registry: Registry, root: PyMap, toSchema: string, report: ConversionReport, src: string): Promise<PyMap> {
  const plugins = await registry.loadMigrations();
  const detected = detectSchema(plugins, root);
  if (!detected) {
    throw new CkptError("MIGRATION", `cannot tell the schema of this checkpoint, so it cannot be migrated to ${toSchema} (installed migration plugins: ${plugins.map((p) => p.id).join(", ") || "none"})`, { file: src });
  }
  const path = findMigrationPath(plugins, detected.family, detected.version, toSchema);
  for (const step of path) report.steps.push(`migrate ${step.family} ${step.from}→${step.to}`);
  return path.length === 0 ? root : runMigrations(root, path);
}

async function refuseSameFile(src: string, dst: string): Promise<void> {
  const a = await realpath(src).catch(() => resolve(src));
  const b = await realpath(dst).catch(() => resolve(dst));
  if (a === b) throw new CkptError("USAGE", "source and destination are the same file", { file: dst });
}
