import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Registry, parsePythonJson, type PyMap } from "@ckpt/core";
import thalia from "@ckpt/format-thalia";
import zstd from "@ckpt/compress-zstd";
import pt from "../src/index.js";

/** The shared fixtures: `../shared/fixtures` beside the repository (CKPT_FIXTURES overrides). */
export const FIXTURES = process.env.CKPT_FIXTURES ?? fileURLToPath(new URL("../../../../shared/fixtures/", import.meta.url));
export const reference = (name: string) => join(FIXTURES, "reference", name);
export const bad = (name: string) => join(FIXTURES, "bad", name);

export function expectation(path: string): PyMap {
  return parsePythonJson(readFileSync(`${path}.expect.json`, "utf8")) as PyMap;
}

export function registry(): Registry {
  return new Registry().use(pt).use(thalia).use(zstd);
}
