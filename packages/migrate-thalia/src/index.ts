import type { MigrationPlugin } from "@ckpt/core";
import { thaliaDetector } from "./detect.js";
import { v1ToV2 } from "./v1-to-v2.js";

export { FAMILY, detectThaliaVersion, versionHint, isFlat, unflatten, thaliaDetector } from "./detect.js";
export { migrateV1ToV2, v1ToV2, REGION_TYPES, DEFAULT_DEVICE, DEFAULT_DT_MS, DEFAULT_LEARNING_RULE } from "./v1-to-v2.js";

/** Thalia brain schemas: detection of v1/v2 by structure and the 1→2 step (see README). */
const thaliaBrain: MigrationPlugin = {
  kind: "migration",
  id: "thalia-brain",
  detectors: [thaliaDetector],
  steps: [v1ToV2],
};

export default thaliaBrain;
