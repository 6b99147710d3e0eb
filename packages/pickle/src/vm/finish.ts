import { CkptError, OpaqueObject, OrderedMap, Tensor, Tuple, type Key, type Node, type PyMap } from "@ckpt/core";
import type { PickleLimits } from "./limits.js";
import { PickleValue, aKind, type Value } from "./values.js";

// Lists and maps may still hold VM values until they are finished (in place).
type Container = Node[] | Tuple | PyMap | PickleValue | OpaqueObject;

interface Done {
  node: Node;
  depth: number;
  logical: number;
}

interface Frame {
  value: Container;
  kids: readonly Value[];
  next: number;
  depth: number;
  logical: number;
}

function isContainer(value: Value): value is Container {
  return typeof value === "object" && value !== null && !(value instanceof Uint8Array) && !(value instanceof Tensor);
}

function kidsOf(value: Container): readonly Value[] {
  if (Array.isArray(value)) return value as Value[];
  if (value instanceof Tuple) return value.items as Value[];
  if (value instanceof PickleValue) return value.children();
  if (value instanceof OpaqueObject) return value.state === undefined ? value.args : [...value.args, value.state];
  const kids: Value[] = [];
  for (const [key, child] of value as Map<Key, Value>) kids.push(key, child);
  if (value instanceof OrderedMap && value.attributes !== undefined) kids.push(value.attributes);
  return kids;
}

/**
 * Turns what the VM built into a model tree, after the pickle ends. One pass over
 * the distinct objects, post-order, iterative (no recursion however deep the input):
 * converts VM-only values by identity, so shared references stay shared; refuses
 * cycles, nesting deeper than `maxDepth`, and a tree whose logical size (every shared
 * reference counted as a copy) passes `maxLogicalNodes`, without ever expanding it.
 */
export class Finisher {
  private readonly done = new Map<Container, Done>();

  constructor(private readonly limits: PickleLimits) {}

  convert(root: Value): Node {
    if (!isContainer(root)) return root as Node;
    const known = this.done.get(root);
    if (known) return known.node;
    const onPath = new Set<Container>([root]);
    const stack: Frame[] = [{ value: root, kids: kidsOf(root), next: 0, depth: 0, logical: 1 }];
    let result: Done | undefined;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      if (frame.next < frame.kids.length) {
        const kid = frame.kids[frame.next++]!;
        if (!isContainer(kid)) {
          this.add(frame, 0, 1);
          continue;
        }
        const finished = this.done.get(kid);
        if (finished) {
          this.add(frame, finished.depth, finished.logical);
          continue;
        }
        if (onPath.has(kid)) {
          throw new CkptError("UNSUPPORTED", `pickle holds ${aKind(kid)} that contains itself; the checkpoint model has no cycles`);
        }
        if (stack.length >= this.limits.maxDepth) throw this.tooDeep();
        onPath.add(kid);
        stack.push({ value: kid, kids: kidsOf(kid), next: 0, depth: 0, logical: 1 });
        continue;
      }
      stack.pop();
      onPath.delete(frame.value);
      const entry: Done = { node: this.rebuild(frame.value), depth: frame.depth + 1, logical: frame.logical };
      this.done.set(frame.value, entry);
      const parent = stack[stack.length - 1];
      if (parent) this.add(parent, entry.depth, entry.logical);
      else result = entry;
    }
    return result!.node;
  }

  private add(frame: Frame, depth: number, logical: number): void {
    frame.depth = Math.max(frame.depth, depth);
    if (frame.depth + 1 > this.limits.maxDepth) throw this.tooDeep();
    frame.logical += logical;
    if (frame.logical > this.limits.maxLogicalNodes) {
      throw new CkptError(
        "LIMIT",
        `pickle expands to more than ${this.limits.maxLogicalNodes} values through shared references (a "billion laughs" structure)`,
      );
    }
  }

  private tooDeep(): CkptError {
    return new CkptError("LIMIT", `pickle nests containers more than ${this.limits.maxDepth} levels deep`);
  }

  private nodeOf(value: Value): Node {
    return isContainer(value) ? this.done.get(value)!.node : (value as Node);
  }

  /** The finished form of a container whose children are all finished: in place where the kind allows. */
  private rebuild(value: Container): Node {
    if (Array.isArray(value) || value instanceof Tuple) {
      const items = (Array.isArray(value) ? value : value.items) as Value[];
      for (let i = 0; i < items.length; i++) items[i] = this.nodeOf(items[i]!);
      return value as Node;
    }
    if (value instanceof PickleValue) return value.toNode(value.children().map((kid) => this.nodeOf(kid)));
    if (value instanceof OpaqueObject) {
      const args = value.args.map((kid) => this.nodeOf(kid));
      const state = value.state === undefined ? undefined : this.nodeOf(value.state);
      const same = state === value.state && args.every((arg, i) => arg === value.args[i]);
      return same ? value : new OpaqueObject(value.className, args, state, value.variant);
    }
    // Map keys are scalars or tuples, and tuples are finished in place, so keys keep their identity.
    for (const [key, child] of value as Map<Key, Value>) value.set(key, this.nodeOf(child));
    if (value instanceof OrderedMap && value.attributes !== undefined) {
      value.attributes = this.nodeOf(value.attributes) as PyMap;
    }
    return value;
  }
}
