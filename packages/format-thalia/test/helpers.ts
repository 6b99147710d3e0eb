import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Registry, parsePythonJson, type PyMap } from "@ckpt/core";
import lz4 from "@ckpt/compress-lz4";
import zstd from "@ckpt/compress-zstd";
import thalia from "../src/index.js";
import thaliaDelta from "../src/delta/index.js";

/** The shared fixtures: `../shared/fixtures` beside the repository (CKPT_FIXTURES overrides). */
export const FIXTURES = process.env.CKPT_FIXTURES ?? fileURLToPath(new URL("../../../../shared/fixtures/", import.meta.url));
export const reference = (name: string) => join(FIXTURES, "reference", name);
export const bad = (name: string) => join(FIXTURES, "bad", name);

/** The fixture's `.expect.json`, parsed with exact ints and floats apart. */
export function expectation(path: string): PyMap {
  return parsePythonJson(readFileSync(`${path}.expect.json`, "utf8")) as PyMap;
}

export function registry(): Registry {
  return new Registry().use(thalia).use(thaliaDelta).use(zstd).use(lz4);
}
