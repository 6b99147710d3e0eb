import { CkptError, Tuple } from "@ckpt/core";
import type { CallContext } from "./globals.js";
import { PySet, aKind, type Value } from "./values.js";

/** Argument checks for known-global hooks; failures name the global and are CORRUPT. */

export function argError(ctx: CallContext, message: string): CkptError {
  return new CkptError("CORRUPT", `pickle calls ${ctx.name} with ${message}`);
}

export function expectCount(ctx: CallContext, args: readonly Value[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    throw argError(ctx, `${args.length} arguments (expects ${want})`);
  }
}

export function expectStr(ctx: CallContext, value: Value | undefined, what: string): string {
  if (typeof value === "string") return value;
  throw argError(ctx, `${kindOf(value)} as ${what} (expects str)`);
}

export function expectInt(ctx: CallContext, value: Value | undefined, what: string): bigint {
  if (typeof value === "bigint") return value;
  throw argError(ctx, `${kindOf(value)} as ${what} (expects int)`);
}

/** A non-negative int that fits a JavaScript number exactly (sizes, strides, offsets). */
export function expectCount64(ctx: CallContext, value: Value | undefined, what: string): number {
  const n = expectInt(ctx, value, what);
  if (n < 0n) throw argError(ctx, `a negative ${what} (${n})`);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw argError(ctx, `an impossibly large ${what} (${n})`);
  return Number(n);
}

export function expectBool(ctx: CallContext, value: Value | undefined, what: string): boolean {
  if (typeof value === "boolean") return value;
  throw argError(ctx, `${kindOf(value)} as ${what} (expects bool)`);
}

/** Items of a tuple or list (Python accepts any sequence in these places). */
export function expectSequence(ctx: CallContext, value: Value | undefined, what: string): Value[] {
  if (value instanceof Tuple) return value.items as Value[];
  if (Array.isArray(value)) return value as Value[];
  if (value instanceof PySet) return value.items;
  throw argError(ctx, `${kindOf(value)} as ${what} (expects a tuple or list)`);
}

function kindOf(value: Value | undefined): string {
  return value === undefined ? "a missing value" : aKind(value);
}
