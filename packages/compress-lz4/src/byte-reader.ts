/**
 * Pulls exact byte counts out of an async stream of chunks of any size. A read returns a
 * view that stays valid only until the next read (it may point into the current chunk or
 * into a reused scratch buffer), so callers use it at once or copy it.
 */
import { lz4Corrupt } from "./frame-format.js";

const EMPTY: Uint8Array = new Uint8Array(0);

export class ByteReader {
  private chunk = EMPTY;
  private at = 0;
  private ended = false;
  private scratch = EMPTY;
  /** Bytes consumed so far: the stream offset of the next read, for error messages. */
  position = 0;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  static of(input: AsyncIterable<Uint8Array>): ByteReader {
    return new ByteReader(input[Symbol.asyncIterator]());
  }

  /** True when no byte is left (pulls the next chunk if the current one is used up). */
  async atEnd(): Promise<boolean> {
    while (this.at >= this.chunk.length) {
      if (!(await this.pull())) return true;
    }
    return false;
  }

  /** Exactly `n` bytes, or a CORRUPT error naming `what` was cut short. `n` must be bounded by the caller. */
  async read(n: number, what: string): Promise<Uint8Array> {
    const available = this.chunk.length - this.at;
    if (available >= n) {
      const view = this.chunk.subarray(this.at, this.at + n);
      this.at += n;
      this.position += n;
      return view;
    }
    if (this.scratch.length < n) this.scratch = new Uint8Array(n);
    const out = this.scratch;
    let have = 0;
    while (have < n) {
      if (this.at >= this.chunk.length && !(await this.pull())) {
        throw lz4Corrupt(`input ends inside ${what} at offset ${this.position + have}`);
      }
      const take = Math.min(n - have, this.chunk.length - this.at);
      out.set(this.chunk.subarray(this.at, this.at + take), have);
      have += take;
      this.at += take;
    }
    this.position += n;
    return out.subarray(0, n);
  }

  /** Little-endian 32-bit unsigned. */
  async readU32(what: string): Promise<number> {
    const b = await this.read(4, what);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  /** Discards `n` bytes without holding them (skippable frames may be up to 4 GiB). */
  async skip(n: number, what: string): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.at >= this.chunk.length && !(await this.pull())) {
        throw lz4Corrupt(`input ends inside ${what} at offset ${this.position}`);
      }
      const take = Math.min(left, this.chunk.length - this.at);
      this.at += take;
      this.position += take;
      left -= take;
    }
  }

  /** Stops the upstream iterator early (a consumer that stopped reading, or an error). */
  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.chunk = EMPTY;
    this.at = 0;
    await this.source.return?.();
  }

  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.source.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.chunk = next.value;
    this.at = 0;
    return true;
  }
}
