import type { Command } from "commander";
import {
  CkptError, OpaqueObject, Tensor, Tuple, childrenOf, convert, detectSchema, dottedPath, findMigrationPath, kindOf, pyFloatRepr,
  runMigrations, withCheckpoint, type Node, type PathStep,
} from "@ckpt/core";
import type { Context } from "../context.js";
import { addReadOptions, readOptionsFrom, type ReadFlags } from "../read-options.js";
import { toJson } from "../output/format.js";

interface MigrateFlags extends ReadFlags {
  to: string;
  dryRun?: boolean;
  output?: string;
  force?: boolean;
}

/** One difference between the tree before and after migrating, by path only. */
export interface PathChange {
  kind: "moved" | "renamed" | "legacy" | "added" | "changed" | "removed";
  from?: string;
  to?: string;
  path?: string;
}

export interface MigrationPlan {
  file: string;
  family: string;
  from: string;
  to: string;
  steps: { from: string; to: string; description: string }[];
  changes: PathChange[];
}

export function migrateCommand(program: Command, context: Context): void {
  addReadOptions(
    program
      .command("migrate")
      .description("migrate FILE's brain state to schema version V (--dry-run: only show what would change)")
      .argument("<file>", "checkpoint to read (never modified)")
      .requiredOption("--to <version>", "target schema version, e.g. 2")
      .option("--dry-run", "print the detected version, the steps and every moved/renamed/added/legacy path; write nothing")
      .option("--output <out>", "file to write (required without --dry-run; its name picks the format)")
      .option("-f, --force", "overwrite OUT if it exists"),
  ).action(async (file: string, flags: MigrateFlags) => {
    const registry = await context.registry();
    const readOptions = readOptionsFrom(flags);
    if (flags.dryRun) {
      const plan = await planMigration(file, flags.to, { registry, readOptions });
      process.stdout.write(context.json ? toJson(plan) + "\n" : renderPlan(plan));
      return;
    }
    if (!flags.output) throw new CkptError("USAGE", "ckpt migrate needs --output OUT (or --dry-run)", { file });
    const reporter = context.reporter();
    const report = await convert(file, flags.output, { registry, readOptions, toSchema: flags.to, force: flags.force === true, reporter });
    reporter.done();
    process.stdout.write(context.json ? toJson(report) + "\n" : `${file} → ${flags.output}\n  steps: ${report.steps.join(" → ")}\n`);
  });
}

/** What migrating would do: detection, the chain of steps, and the path changes (tensor bytes are never read). */
export function planMigration(file: string, to: string, options: Parameters<typeof withCheckpoint>[1]): Promise<MigrationPlan> {
  return withCheckpoint(file, options, async (opened, registry) => {
    const plugins = await registry.loadMigrations();
    const root = opened.checkpoint.root;
    const detected = detectSchema(plugins, root);
    if (!detected) {
      throw new CkptError("MIGRATION", `cannot tell the schema of this checkpoint (installed migration plugins: ${plugins.map((p) => p.id).join(", ") || "none"})`, { file });
    }
    const path = findMigrationPath(plugins, detected.family, detected.version, to);
    const after = path.length === 0 ? root : runMigrations(root, path);
    return {
      file, family: detected.family, from: detected.version, to,
      steps: path.map((s) => ({ from: s.from, to: s.to, description: s.description })),
      changes: diffPaths(root, after),
    };
  });
}

/** Leaves (non-container values and empty containers) by dotted path. */
function leaves(root: Node): Map<string, { node: Node; last: string }> {
  const out = new Map<string, { node: Node; last: string }>();
  const stack: { node: Node; path: PathStep[] }[] = [{ node: root, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    const children = node instanceof Tensor ? [] : childrenOf(node);
    const container = node instanceof Map || Array.isArray(node) || node instanceof Tuple || node instanceof OpaqueObject;
    if (children.length === 0 || !container) {
      if (path.length > 0) out.set(dottedPath(path), { node, last: dottedPath(path.slice(-1)) });
      continue;
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]![1], path: [...path, children[i]![0]] });
  }
  return out;
}

/** Identity for tensors, bytes and objects (moved, never copied); kind and value for the rest. */
function valueKey(node: Node): unknown {
  if (node instanceof Tensor || node instanceof Uint8Array || node instanceof OpaqueObject) return node;
  if (node instanceof Map) return "{}";
  if (Array.isArray(node) || node instanceof Tuple) return `${kindOf(node)}[]`;
  if (typeof node === "number") return `float:${pyFloatRepr(node)}`;
  return `${kindOf(node)}:${String(node)}`;
}

/** Pairs what disappeared with what appeared by value, to tell moves from additions. */
export function diffPaths(before: Node, after: Node): PathChange[] {
  const old = leaves(before);
  const now = leaves(after);
  const changes: PathChange[] = [];
  const gone = [...old].filter(([path]) => !now.has(path));
  for (const [path, { node }] of now) {
    const was = old.get(path);
    if (was && valueKey(was.node) !== valueKey(node)) changes.push({ kind: "changed", path });
  }
  // Greedy pairing, best first: same final key, then the longest shared path prefix.
  const byValue = new Map<unknown, string[]>();
  for (const [path, leaf] of gone) byValue.set(valueKey(leaf.node), [...(byValue.get(valueKey(leaf.node)) ?? []), path]);
  const pairs: { from: string; to: string; score: number }[] = [];
  const appeared = [...now].filter(([path]) => !old.has(path));
  for (const [path, { node, last }] of appeared) {
    for (const from of byValue.get(valueKey(node)) ?? []) {
      pairs.push({ from, to: path, score: (old.get(from)!.last === last ? 1000 : 0) + sharedPrefix(from, path) });
    }
  }
  pairs.sort((a, b) => b.score - a.score);
  const used = new Set<string>();
  const placed = new Map<string, string>();
  for (const pair of pairs) {
    if (used.has(pair.from) || placed.has(pair.to)) continue;
    used.add(pair.from);
    placed.set(pair.to, pair.from);
  }
  const added: PathChange[] = [];
  for (const [path, { last }] of appeared) {
    const from = placed.get(path);
    if (from === undefined) {
      added.push({ kind: "added", path });
      continue;
    }
    const kind = path === "legacy" || path.startsWith("legacy.") || path.includes(".legacy.") ? "legacy" : old.get(from)!.last === last ? "moved" : "renamed";
    changes.push({ kind, from, to: path });
  }
  for (const [path] of gone) if (!used.has(path)) changes.push({ kind: "removed", path });
  return [...changes, ...added];
}

function sharedPrefix(a: string, b: string): number {
  const x = a.split(".");
  const y = b.split(".");
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  return n;
}

function renderPlan(plan: MigrationPlan): string {
  const lines = [`${plan.file}: ${plan.family} v${plan.from} → v${plan.to} (dry run, nothing written)`];
  if (plan.steps.length === 0) lines.push("  already at the target version: nothing to do");
  for (const step of plan.steps) lines.push(`  step ${step.from}→${step.to}: ${step.description}`);
  for (const change of plan.changes) {
    lines.push(change.from !== undefined ? `  ${change.kind.padEnd(8)} ${change.from} → ${change.to}` : `  ${change.kind.padEnd(8)} ${change.path}`);
  }
  return lines.join("\n") + "\n";
}
