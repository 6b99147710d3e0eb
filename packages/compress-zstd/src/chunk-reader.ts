/**
 * Pull-based reading of an async chunk stream for parsers that need "the next n bytes
 * contiguous" (frame and block headers) while passing big runs through without copying.
 * Bytes are joined only when a requested run spans two chunks, so at most one extra
 * copy of the input is ever made, and never more than one chunk plus n is held.
 */
const EMPTY = new Uint8Array(0);

export class ChunkReader {
  private chunk: Uint8Array = EMPTY;
  private pos = 0;
  private ended = false;
  /** Bytes consumed so far, i.e. the input offset of the next unread byte. */
  offset = 0;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  static from(input: AsyncIterable<Uint8Array>): ChunkReader {
    return new ChunkReader(input[Symbol.asyncIterator]());
  }

  /** Bytes buffered and contiguous, ready for peek(). */
  get buffered(): number {
    return this.chunk.length - this.pos;
  }

  /** Makes at least n bytes contiguous in the buffer; false if the input ends first. */
  async ensure(n: number): Promise<boolean> {
    while (this.buffered < n) {
      if (this.ended) return false;
      const next = await this.source.next();
      if (next.done) {
        this.ended = true;
        return false;
      }
      const data = next.value;
      if (data.length === 0) continue;
      if (this.buffered === 0) {
        this.chunk = data;
      } else {
        const joined = new Uint8Array(this.buffered + data.length);
        joined.set(this.chunk.subarray(this.pos));
        joined.set(data, this.buffered);
        this.chunk = joined;
      }
      this.pos = 0;
    }
    return true;
  }

  /** Everything buffered (no copy); valid until the next ensure(). */
  peek(): Uint8Array {
    return this.chunk.subarray(this.pos);
  }

  consume(n: number): void {
    this.pos += n;
    this.offset += n;
  }

  /** The next n bytes (call ensure(n) first); a view, not a copy. */
  read(n: number): Uint8Array {
    const bytes = this.chunk.subarray(this.pos, this.pos + n);
    this.consume(n);
    return bytes;
  }

  /** Drops n bytes without buffering them; false if the input ends first. */
  async skip(n: number): Promise<boolean> {
    while (n > 0) {
      if (this.buffered === 0 && !(await this.ensure(1))) return false;
      const step = Math.min(n, this.buffered);
      this.consume(step);
      n -= step;
    }
    return true;
  }

  /** Releases the source (closes an upstream file) when we stop early or fail. */
  async close(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      await this.source.return?.();
    }
  }
}
