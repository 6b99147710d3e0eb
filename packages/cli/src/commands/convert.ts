import type { Command } from "commander";
import { CkptError, convert, type ConversionReport } from "@ckpt/core";
import type { Context } from "../context.js";
import { addReadOptions, keyValueOptions, readOptionsFrom, type ReadFlags } from "../read-options.js";
import { parsePrecision } from "../precision-option.js";
import { formatBytes, toJson } from "../output/format.js";

interface ConvertFlags extends ReadFlags {
  precision?: string;
  level?: string;
  toSchema?: string;
  force?: boolean;
  format?: string;
  codec?: string;
  writeOption?: string[];
  verify?: boolean;
}

export function convertCommand(program: Command, context: Context): void {
  addReadOptions(
    program
      .command("convert")
      .description("convert SRC to DST; formats and compression come from the names (out.thalia.zst) or the contents")
      .argument("<src>", "checkpoint to read (never modified)")
      .argument("<dst>", "file to write (written to a temp file, then renamed)")
      .option("--precision <policy>", "fp32, fp16, mixed, or a policy .json file (lossy steps are reported)")
      .option("--level <n>", "compression level for .zst (1–22) or .lz4 (0–16)")
      .option("--to-schema <version>", "migrate the brain state to this schema version first")
      .option("--format <id>", "output format when DST's name does not say")
      .option("--codec <id>", "output compression (zstd, lz4, or none) when DST's name does not say")
      .option("-w, --write-option <key=value...>", "an option for the writing plugin (e.g. thalia's sparseF16=true)")
      .option("-f, --force", "overwrite DST if it exists")
      .option("--verify", "read DST back before renaming it into place and compare with SRC: exact, except each precision-changed tensor's max abs/rel error; a mismatch writes nothing (exit 1)"),
  ).action(async (src: string, dst: string, flags: ConvertFlags) => {
    const level = flags.level === undefined ? undefined : Number(flags.level);
    if (level !== undefined && !Number.isInteger(level)) throw new CkptError("USAGE", `--level takes a whole number, not "${flags.level}"`);
    const reporter = context.reporter();
    const report = await convert(src, dst, {
      registry: await context.registry(),
      readOptions: readOptionsFrom(flags),
      writeOptions: keyValueOptions(flags.writeOption),
      force: flags.force === true,
      verify: flags.verify === true,
      reporter,
      ...(level !== undefined && { level }),
      ...(flags.toSchema !== undefined && { toSchema: flags.toSchema }),
      ...(flags.precision !== undefined && { precision: await parsePrecision(flags.precision) }),
      ...(flags.format !== undefined && { format: flags.format }),
      ...(flags.codec !== undefined && { codec: flags.codec === "none" ? null : flags.codec }),
    });
    reporter.done();
    process.stdout.write(context.json ? toJson(report) + "\n" : describeReport(report));
  });
}

function describeReport(report: ConversionReport): string {
  const name = (side: ConversionReport["source"]) => `${side.format}${side.codec ? `+${side.codec}` : ""}`;
  const lines = [
    `${report.source.path} (${name(report.source)}, ${formatBytes(report.source.bytes)}) → ${report.destination.path} (${name(report.destination)}, ${formatBytes(report.destination.bytes)})`,
    `  steps: ${report.steps.join(" → ")}`,
    `  ${report.tensors} tensors, ${formatBytes(report.tensorBytes)} of tensor data, ${report.seconds.toFixed(2)} s`,
  ];
  for (const change of report.precision) lines.push(`  precision: ${change.path} ${change.from} → ${change.to} (${formatBytes(change.bytesBefore)} → ${formatBytes(change.bytesAfter)})`);
  for (const lossy of report.lossy) lines.push(`  lossy: ${lossy}`);
  for (const warning of report.warnings) lines.push(`  warning: ${warning}`);
  const verification = report.verification;
  if (verification) {
    if (verification.exact) lines.push(`  verified: exact (${verification.tensors} tensors read back)`);
    else {
      lines.push(`  verified: exact except ${verification.changed.length} precision-changed tensor(s) (${verification.tensors} tensors read back)`);
      for (const c of verification.changed) {
        lines.push(`    ${c.path} ${c.from} → ${c.to}: max abs err ${c.maxAbsError.toPrecision(4)}, max rel err ${c.maxRelError.toPrecision(4)} (${c.differing} of ${c.values} values changed${c.nonFinite ? `, ${c.nonFinite} NaN/Inf` : ""})`);
      }
    }
  }
  return lines.join("\n") + "\n";
}
