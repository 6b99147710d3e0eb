import "reflect-metadata";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { container as rootContainer, instanceCachingFactory, type DependencyContainer } from "tsyringe";
import { CkptError } from "../errors.js";
import type { CodecPlugin } from "../plugin/codec.js";
import type { FormatPlugin, Identification } from "../plugin/format.js";
import type { MigrationPlugin } from "../plugin/migration.js";
import { API_VERSION, type Plugin, type PluginKind, type PluginManifest } from "../plugin/plugin.js";
import { magicMatches, matchingExtension, type PluginDescriptor, type RefusedPlugin } from "./descriptor.js";
import { discoverPlugins } from "./discover.js";
import { KNOWN_PLUGINS, type KnownPlugin } from "./known-plugins.js";

type PluginOfKind<K extends PluginKind> = Extract<Plugin, { kind: K }>;

const DESCRIPTORS = "ckpt:descriptors";
const loadToken = (kind: PluginKind, id: string) => `ckpt:plugin:${kind}:${id}`;

/** The result of identifying a file: which plugin, and how sure. */
export interface Identified {
  descriptor: PluginDescriptor;
  by: "magic" | "identify" | "extension";
}

/**
 * Knows every plugin (discovered on disk or registered with `use()`), identifies files
 * from manifests alone, and imports a plugin's code only when it is chosen. Plugins
 * never see the dependency-injection container: they are plain objects, and this
 * class registers them in a tsyringe child container of its own.
 */
export class Registry {
  private readonly container: DependencyContainer = rootContainer.createChildContainer();
  private readonly refusedPlugins: RefusedPlugin[] = [];

  /** Scans the installed packages (see discoverPlugins) and registers what is compatible. */
  static async discover(options: { from?: string[] } = {}): Promise<Registry> {
    const registry = new Registry();
    const { found, refused } = await discoverPlugins(options.from);
    for (const descriptor of found) registry.add(descriptor);
    registry.refusedPlugins.push(...refused);
    return registry;
  }

  /** Registers a plugin object in code (bundlers, tests, the browser). Replaces one of the same kind and id. */
  use(plugin: Plugin, packageName = `(registered ${plugin.kind} ${plugin.id})`): this {
    const manifest: PluginManifest = {
      kind: plugin.kind,
      id: plugin.id,
      entry: "",
      apiVersion: API_VERSION,
      extensions: "extensions" in plugin ? [...plugin.extensions] : [],
      magic: plugin.kind === "codec" ? plugin.magic.map((bytes) => ({ hex: Buffer.from(bytes).toString("hex") })) : [],
    };
    this.add({ kind: plugin.kind, id: plugin.id, packageName, version: "0.0.0", packageDir: undefined, manifest, instance: plugin });
    return this;
  }

  list(kind?: PluginKind): PluginDescriptor[] {
    const all = this.container.isRegistered(DESCRIPTORS) ? this.container.resolveAll<PluginDescriptor>(DESCRIPTORS) : [];
    // Later registrations replace earlier ones with the same kind and id.
    const byKey = new Map(all.map((d) => [`${d.kind}:${d.id}`, d]));
    return [...byKey.values()].filter((d) => kind === undefined || d.kind === kind);
  }

  refused(): readonly RefusedPlugin[] {
    return this.refusedPlugins;
  }

  find(kind: PluginKind, id: string): PluginDescriptor | undefined {
    return this.list(kind).find((d) => d.id === id);
  }

  /** Imports (once) and returns the plugin object. */
  async load<K extends PluginKind>(kind: K, id: string): Promise<PluginOfKind<K>> {
    const descriptor = this.find(kind, id);
    if (!descriptor) throw new CkptError("PLUGIN_MISSING", `no ${kind} plugin "${id}" is installed`);
    return this.container.resolve<Promise<PluginOfKind<K>>>(loadToken(kind, id));
  }

  loadFormat(id: string): Promise<FormatPlugin> {
    return this.load("format", id);
  }

  loadCodec(id: string): Promise<CodecPlugin> {
    return this.load("codec", id);
  }

  async loadMigrations(): Promise<MigrationPlugin[]> {
    return Promise.all(this.list("migration").map((d) => this.load("migration", d.id)));
  }

  /**
   * Which installed plugin of `kind` a file is, by magic bytes, then a plugin's own small
   * identify module, then the file name ending. Never imports a plugin's entry module.
   */
  async identify(kind: "format" | "codec", head: Uint8Array, fileName: string): Promise<Identified | undefined> {
    const candidates = this.list(kind);
    for (const descriptor of candidates) {
      if (magicMatches(head, descriptor.manifest.magic)) return { descriptor, by: "magic" };
    }
    const maybes: PluginDescriptor[] = [];
    for (const descriptor of candidates) {
      const answer = await this.runIdentify(descriptor, head);
      if (answer === "yes") return { descriptor, by: "identify" };
      if (answer === "maybe") maybes.push(descriptor);
    }
    const byExtension = candidates
      .map((descriptor) => ({ descriptor, ext: matchingExtension(fileName, descriptor.manifest.extensions) }))
      .filter((c): c is { descriptor: PluginDescriptor; ext: string } => c.ext !== undefined)
      .sort((a, b) => b.ext.length - a.ext.length);
    const preferred = byExtension.find((c) => maybes.includes(c.descriptor)) ?? byExtension[0];
    return preferred ? { descriptor: preferred.descriptor, by: "extension" } : undefined;
  }

  /** A first-party plugin that is not installed but would accept this file, for the "not installed" hint. */
  missingPluginFor(kind: "format" | "codec", head: Uint8Array, fileName: string): KnownPlugin | undefined {
    const installed = new Set(this.list(kind).map((d) => d.id));
    const known = KNOWN_PLUGINS.filter((k) => k.kind === kind && !installed.has(k.id));
    return known.find((k) => magicMatches(head, k.magic)) ?? known.find((k) => matchingExtension(fileName, k.extensions));
  }

  private async runIdentify(descriptor: PluginDescriptor, head: Uint8Array): Promise<Identification> {
    if (descriptor.instance?.kind === "format" && descriptor.instance.identify) return descriptor.instance.identify(head);
    const module = descriptor.manifest.identify;
    if (!module || !descriptor.packageDir) return "no";
    const imported = (await import(pathToFileURL(join(descriptor.packageDir, module)).href)) as {
      identify?: (head: Uint8Array) => Identification;
      default?: (head: Uint8Array) => Identification;
    };
    const identify = imported.identify ?? imported.default;
    return typeof identify === "function" ? identify(head) : "no";
  }

  private add(descriptor: PluginDescriptor): void {
    this.container.register(DESCRIPTORS, { useValue: descriptor });
    this.container.register(loadToken(descriptor.kind, descriptor.id), {
      useFactory: instanceCachingFactory(() => importPlugin(descriptor)),
    });
  }
}

async function importPlugin(descriptor: PluginDescriptor): Promise<Plugin> {
  if (descriptor.instance) return descriptor.instance;
  const where = `${descriptor.packageName}@${descriptor.version}`;
  const url = pathToFileURL(join(descriptor.packageDir!, descriptor.manifest.entry)).href;
  let module: { default?: unknown; plugin?: unknown };
  try {
    module = (await import(url)) as typeof module;
  } catch (error) {
    throw new CkptError("PLUGIN_INCOMPATIBLE", `plugin ${where} failed to load: ${(error as Error).message}`, { cause: error });
  }
  const plugin = (module.default ?? module.plugin) as Plugin | undefined;
  if (!plugin || typeof plugin !== "object" || plugin.kind !== descriptor.kind || plugin.id !== descriptor.id) {
    throw new CkptError(
      "PLUGIN_INCOMPATIBLE",
      `plugin ${where}: its entry ${descriptor.manifest.entry} does not export a ${descriptor.kind} plugin with id "${descriptor.id}"`,
    );
  }
  return plugin;
}
