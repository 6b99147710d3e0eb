import type { Command } from "commander";
import { diff, type Difference, type FileDiff, type TensorComparison } from "@ckpt/core";
import type { Context } from "../context.js";
import { addReadOptions, readOptionsFrom, type ReadFlags } from "../read-options.js";
import { toJson } from "../output/format.js";

export function diffCommand(program: Command, context: Context): void {
  addReadOptions(
    program
      .command("diff")
      .description("compare two checkpoints of any formats (compressed or not); exit 0 when identical, 1 when they differ")
      .argument("<a>", "first checkpoint")
      .argument("<b>", "second checkpoint"),
  ).action(async (a: string, b: string, flags: ReadFlags) => {
    const reporter = context.reporter();
    const result = await diff(a, b, { registry: await context.registry(), readOptions: readOptionsFrom(flags), reporter }).finally(() => reporter.done());
    process.stdout.write(context.json ? toJson(result) + "\n" : describeDiff(result));
    context.exitCode = result.identical ? 0 : 1;
  });
}

function describeDiff(result: FileDiff): string {
  const side = (s: FileDiff["a"]) => `${s.path} (${s.format}${s.codec ? `+${s.codec}` : ""})`;
  const lines = [`A: ${side(result.a)}`, `B: ${side(result.b)}`];
  if (result.identical) {
    lines.push(`identical (${result.tensorsCompared} tensors compared)`);
    return lines.join("\n") + "\n";
  }
  for (const d of result.differences) lines.push(`  ${describeDifference(d)}`);
  lines.push(`${result.differences.length} difference(s), ${result.tensorsCompared} tensors compared`);
  return lines.join("\n") + "\n";
}

function describeDifference(d: Difference): string {
  const at = d.path || "(root)";
  switch (d.kind) {
    case "only-in-a": return `- ${at}: only in A (${d.summary})`;
    case "only-in-b": return `+ ${at}: only in B (${d.summary})`;
    case "kind": return `~ ${at}: ${d.a} in A, ${d.b} in B`;
    case "value": return `~ ${at}: ${d.a} → ${d.b}`;
    case "shape": return `~ ${at}: shape [${d.a.join(", ")}] → [${d.b.join(", ")}]`;
    case "dtype": return `~ ${at}: dtype ${d.a} → ${d.b}${d.values ? `, values ${describeValues(d.values)}` : ""}`;
    case "tensor-values": return `~ ${at}: ${d.dtype} values ${describeValues(d.values)}`;
  }
}

export function describeValues(v: TensorComparison): string {
  if (v.differing === 0) return v.bytesEqual === false ? `equal as numbers, but ${v.bitsDiffering} of ${v.values} bit patterns differ (-0 vs 0 or NaN payloads)` : "equal";
  const nonFinite = v.nonFinite > 0 ? `, ${v.nonFinite} NaN/Inf mismatch(es)` : "";
  return `differ in ${v.differing} of ${v.values}: max abs err ${v.maxAbsError.toPrecision(4)}, max rel err ${v.maxRelError.toPrecision(4)}${nonFinite}`;
}
