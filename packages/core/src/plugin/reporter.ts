/**
 * How plugins and stages tell the user what is going on: progress on long work,
 * warnings, and lossy steps (which must always be reported).
 */
export interface Reporter {
  progress(label: string, done: number, total: number): void;
  warn(message: string): void;
  lossy(message: string): void;
}

export const silentReporter: Reporter = {
  progress() {},
  warn() {},
  lossy() {},
};
