import { readFileSync } from "node:fs";

/** This core's own package version (from its package.json, two folders up from src/ or dist/). */
export const CORE_VERSION: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;
