import { asCkptError } from "../errors.js";
import { walkTensors, type Node } from "../model/node.js";
import { outline, type OutlineLine } from "../model/outline.js";
import { manifestTree, type Manifest } from "../manifest/manifest.js";
import { silentReporter, type Reporter } from "../plugin/reporter.js";
import { TempScope } from "../io/temp-scope.js";
import { Registry } from "../registry/registry.js";
import { detectSchema } from "../migrate/chain.js";
import { openCheckpoint, type OpenedCheckpoint } from "./open.js";

export interface InspectOptions {
  registry?: Registry;
  readOptions?: Record<string, unknown>;
  reporter?: Reporter;
}

/** Opens `path`, runs `use` on it, and releases everything (temp files, handles) afterwards. */
export async function withCheckpoint<T>(path: string, options: InspectOptions, use: (opened: OpenedCheckpoint, registry: Registry) => Promise<T>): Promise<T> {
  const registry = options.registry ?? (await Registry.discover());
  const scope = new TempScope();
  try {
    const opened = await openCheckpoint(path, { registry, scope, reporter: options.reporter ?? silentReporter, formatOptions: options.readOptions ?? {} });
    return await use(opened, registry);
  } catch (error) {
    throw asCkptError(error, path);
  } finally {
    await scope.close();
  }
}

/** `ckpt manifest`: the canonical manifest of a file (model.md §4). */
export function readManifest(path: string, options: InspectOptions = {}): Promise<Manifest> {
  return withCheckpoint(path, options, async (opened) => ({
    format: opened.format,
    codec: opened.codec,
    tree: await manifestTree(opened.checkpoint.root),
  }));
}

export interface CheckpointInfo {
  path: string;
  format: string;
  codec: string | null;
  bytes: number;
  schemaFamily: string | null;
  schemaVersion: string | null;
  tensorCount: number;
  tensorBytes: number;
  bytesByDtype: Record<string, number>;
  container: Record<string, Node>;
  outline: OutlineLine[];
}

/** `ckpt info`: what a file is and holds, without reading tensor bytes. */
export function describe(path: string, options: InspectOptions & { depth?: number } = {}): Promise<CheckpointInfo> {
  return withCheckpoint(path, options, async (opened, registry) => {
    const root = opened.checkpoint.root;
    const schema = detectSchema(await registry.loadMigrations(), root);
    const bytesByDtype: Record<string, number> = {};
    let tensorCount = 0;
    let tensorBytes = 0;
    for (const { tensor } of walkTensors(root)) {
      tensorCount++;
      tensorBytes += tensor.byteLength;
      bytesByDtype[tensor.dtype] = (bytesByDtype[tensor.dtype] ?? 0) + tensor.byteLength;
    }
    return {
      path, format: opened.format, codec: opened.codec, bytes: opened.byteLength,
      schemaFamily: schema?.family ?? null, schemaVersion: schema?.version ?? null,
      tensorCount, tensorBytes, bytesByDtype,
      container: opened.checkpoint.info ?? {},
      outline: outline(root, options.depth ?? 2),
    };
  });
}

export interface ValidationResult {
  path: string;
  valid: boolean;
  format: string | null;
  codec: string | null;
  tensors: number;
  problem: string | null;
}

/**
 * `ckpt validate`: decodes the file (the format's own checks: magic, checksums, bounds)
 * and reads every tensor's bytes to the end. Invalid files give a result, not a throw.
 */
export async function validate(path: string, options: InspectOptions = {}): Promise<ValidationResult> {
  try {
    return await withCheckpoint(path, options, async (opened) => {
      let tensors = 0;
      for (const { tensor } of walkTensors(opened.checkpoint.root)) {
        for await (const _chunk of tensor.source.chunks()) void _chunk;
        tensors++;
      }
      return { path, valid: true, format: opened.format, codec: opened.codec, tensors, problem: null };
    });
  } catch (error) {
    const failure = asCkptError(error, path);
    if (failure.code === "PLUGIN_MISSING" || failure.code === "NOT_FOUND") throw failure;
    return { path, valid: false, format: null, codec: null, tensors: 0, problem: failure.message };
  }
}
