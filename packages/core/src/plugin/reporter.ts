/**
 * How plugins and stages tell the user what is going on: progress on long work,
 * warnings, and lossy steps (which must always be reported).
 */
export interface Reporter {
  progress(label: string, done: number, total: number): void;
  warn(message: string): void;
  lossy(message: string): void;
}

/** Passes chunks through, reporting the bytes seen so far against `total` (capped at it). */
export async function* reportProgress(chunks: AsyncIterable<Uint8Array>, reporter: Reporter, total: number, label = "writing"): AsyncIterable<Uint8Array> {
  let done = 0;
  for await (const chunk of chunks) {
    done += chunk.byteLength;
    reporter.progress(label, Math.min(done, total), total);
    yield chunk;
  }
}

export const silentReporter: Reporter = {
  progress() {},
  warn() {},
  lossy() {},
};
