import { keyToString, type PathStep } from "@ckpt/core";

/**
 * Stored tensor names are dotted paths from the root (model.md §2). Within a step,
 * `\` is written `\\` and `.` is written `\.`, so every path has its own name and
 * splits back unambiguously. A non-string map key is written as Python's `str(key)`
 * (`3`, `(1, 2)`, `None`), a list or tuple index as its decimal number, an opaque
 * object's state as `__state__`: such names are only labels, the tree in `ckpt.tree`
 * says what each step really was.
 */
export function escapeStep(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\./g, "\\.");
}

export function stepText(step: PathStep): string {
  if (typeof step === "object" && step !== null && "index" in step) return String(step.index);
  return escapeStep(keyToString(step));
}

export function dottedName(path: readonly PathStep[]): string {
  return path.map(stepText).join(".");
}

/**
 * The steps of a dotted name: splits at unescaped dots and undoes `\.` and `\\`.
 * A backslash before anything else is kept as it is (names from other writers).
 */
export function splitName(name: string): string[] {
  const steps: string[] = [];
  let current = "";
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    const next = name[i + 1];
    if (c === "\\" && (next === "." || next === "\\")) {
      current += next;
      i++;
    } else if (c === ".") {
      steps.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  steps.push(current);
  return steps;
}

/**
 * Hands out unique stored names. Two paths can only meet on one name through keys of
 * different kinds that print alike (`1` and `"1"`); the later one gets `#2`, `#3`, ….
 * `__metadata__` is reserved by the format.
 */
export class NameAllocator {
  private readonly taken = new Set<string>(["__metadata__"]);

  allocate(wanted: string): string {
    let name = wanted;
    for (let n = 2; this.taken.has(name); n++) name = `${wanted}#${n}`;
    this.taken.add(name);
    return name;
  }
}
