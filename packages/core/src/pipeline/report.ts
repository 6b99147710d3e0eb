import type { PrecisionChange } from "./precision-stage.js";
import type { VerificationResult } from "../diff/verify.js";

/** What a conversion did, for people (`ckpt convert`) and scripts (`--json`). */
export interface ConversionReport {
  source: { path: string; format: string; codec: string | null; bytes: number };
  destination: { path: string; format: string; codec: string | null; bytes: number };
  /** The stages that ran, in order: `decode thalia`, `migrate thalia-brain 1→2`, … */
  steps: string[];
  /** Every step that lost information (always asked for, always listed). */
  lossy: string[];
  warnings: string[];
  precision: PrecisionChange[];
  /** `convert --verify`: the written file read back and compared with the source. */
  verification?: VerificationResult;
  tensors: number;
  tensorBytes: number;
  seconds: number;
}
