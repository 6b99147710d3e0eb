import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The shared fixtures: `../shared/fixtures` beside the repository (CKPT_FIXTURES overrides). */
export const FIXTURES = process.env.CKPT_FIXTURES ?? fileURLToPath(new URL("../../../../shared/fixtures/", import.meta.url));
export const reference = (name: string) => join(FIXTURES, "reference", name);
export const bad = (name: string) => join(FIXTURES, "bad", name);
