import { existsSync } from "node:fs";
import { readFile, realpath } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fg from "fast-glob";
import type { PluginManifest } from "../plugin/plugin.js";
import { incompatibility } from "./compat.js";
import type { PluginDescriptor, RefusedPlugin } from "./descriptor.js";

interface PackageJson {
  name?: string;
  version?: string;
  ckpt?: unknown;
  peerDependencies?: Record<string, string>;
}

export interface Discovery {
  found: PluginDescriptor[];
  refused: RefusedPlugin[];
}

/**
 * Finds installed plugin packages: every `node_modules` folder from `from` up to the
 * file-system root (as Node resolves packages), plus the one this core is installed
 * in, scanned with fast-glob for package.json files carrying a `"ckpt"` field.
 * Only package.json files are read; no plugin code is imported.
 */
export async function discoverPlugins(from: readonly string[] = [process.cwd()]): Promise<Discovery> {
  const found: PluginDescriptor[] = [];
  const refused: RefusedPlugin[] = [];
  const seenPackages = new Set<string>();
  const seenDirs = new Set<string>();

  for (const root of nodeModulesFolders(from)) {
    const manifests = await fg(["*/package.json", "@*/*/package.json"], {
      cwd: root,
      absolute: true,
      onlyFiles: true,
      followSymbolicLinks: true,
      suppressErrors: true,
    });
    for (const file of manifests.sort()) {
      const pkg = await readPackageJson(file);
      if (pkg?.ckpt === undefined || !pkg.name || seenPackages.has(pkg.name)) continue;
      const packageDir = await realpath(dirname(file));
      if (seenDirs.has(packageDir)) continue;
      seenPackages.add(pkg.name);
      seenDirs.add(packageDir);
      const version = pkg.version ?? "0.0.0";
      // A package may declare one plugin or several (e.g. a migration pack).
      for (const manifest of Array.isArray(pkg.ckpt) ? pkg.ckpt : [pkg.ckpt]) {
        const reason = incompatibility(manifest, pkg.peerDependencies);
        if (reason) refused.push({ packageName: pkg.name, version, packageDir, reason, manifest: typeof manifest === "object" && manifest !== null ? (manifest as Partial<PluginManifest>) : undefined });
        else found.push({ kind: (manifest as PluginManifest).kind, id: (manifest as PluginManifest).id, packageName: pkg.name, version, packageDir, manifest: manifest as PluginManifest });
      }
    }
  }
  return { found, refused };
}

function nodeModulesFolders(from: readonly string[]): string[] {
  const folders: string[] = [];
  const starts = [...from.map((dir) => resolve(dir)), coreInstallFolder()];
  for (const start of starts) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = dir.endsWith("node_modules") ? dir : join(dir, "node_modules");
      if (!folders.includes(candidate) && existsSync(candidate)) folders.push(candidate);
      if (dirname(dir) === dir) break;
    }
  }
  return folders;
}

/** The node_modules folder holding this @ckpt/core (plugins installed beside a global ckpt live there). */
function coreInstallFolder(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
}

async function readPackageJson(file: string): Promise<PackageJson | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as PackageJson;
  } catch {
    return undefined; // an unreadable package.json is not ours to report
  }
}
