/** Bounds that keep a hostile pickle from exhausting memory, time or the call stack. */
export interface PickleLimits {
  /** Values on the VM stack plus open MARKs. */
  maxStack: number;
  /** Memo entries. */
  maxMemo: number;
  /** Containers nested inside each other in the result. */
  maxDepth: number;
  /**
   * Values in the result counted as if every shared reference were copied: a
   * "billion laughs" pickle stays small as shared references but not logically.
   */
  maxLogicalNodes: number;
  /** Digits of a protocol-0 text int, bytes of a LONG4. */
  maxIntLength: number;
}

export const DEFAULT_LIMITS: Readonly<PickleLimits> = {
  maxStack: 1_000_000,
  maxMemo: 5_000_000,
  maxDepth: 1000,
  maxLogicalNodes: 10_000_000,
  maxIntLength: 100_000,
};

export function resolveLimits(overrides: Partial<PickleLimits> | undefined): PickleLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}
