/**
 * Where the native coder writes: one large buffer filled front to back, handed out in
 * slices that are never written again, so consumers may keep them. Large slices keep the
 * per-chunk cost of async iteration negligible; a fresh buffer per slice bounds memory.
 */
export class OutputBuffer {
  private buffer: Buffer;
  private start = 0;
  private end = 0;

  /** `minSpace`: below this much free room, the next space() starts a fresh buffer. */
  constructor(
    private readonly size: number,
    private readonly minSpace: number,
  ) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  /** The free room after what has been written. */
  space(): Buffer {
    return this.buffer.subarray(this.end);
  }

  commit(written: number): void {
    this.end += written;
  }

  /** The written-but-not-taken bytes when the buffer is nearly full, else undefined. */
  takeIfFull(): Buffer | undefined {
    if (this.size - this.end >= this.minSpace) return undefined;
    const full = this.take();
    this.buffer = Buffer.allocUnsafe(this.size);
    this.start = this.end = 0;
    return full;
  }

  /** The written-but-not-taken bytes, if any. */
  take(): Buffer | undefined {
    if (this.end === this.start) return undefined;
    const slice = this.buffer.subarray(this.start, this.end);
    this.start = this.end;
    return slice;
  }
}
