/**
 * @ckpt/core — the neutral checkpoint model, the plugin interfaces, the registry that
 * discovers plugins, and the pipeline (decode → migrate → precision → encode).
 */
export * from "./errors.js";
export * from "./model/dtype.js";
export * from "./model/byte-source.js";
export * from "./model/tensor.js";
export * from "./model/attrs.js";
export * from "./model/node.js";
export * from "./model/outline.js";
export * from "./json/python-json.js";
export * from "./manifest/manifest.js";
export * from "./manifest/tensor-hash.js";
export * from "./manifest/compare.js";
export * from "./plugin/format.js";
export * from "./plugin/codec.js";
export * from "./plugin/migration.js";
export * from "./plugin/options.js";
export * from "./plugin/reporter.js";
export * from "./plugin/plugin.js";
export * from "./io/random-access-file.js";
export * from "./io/temp-scope.js";
export * from "./io/atomic-write.js";
export { removeTrackedTemps } from "./io/interrupt-cleanup.js";
export * from "./registry/descriptor.js";
export * from "./registry/registry.js";
export * from "./registry/known-plugins.js";
export { CORE_VERSION } from "./registry/core-version.js";
export * from "./precision/half.js";
export * from "./precision/cast.js";
export * from "./precision/policy.js";
export * from "./migrate/chain.js";
export * from "./pipeline/open.js";
export * from "./pipeline/convert.js";
export * from "./pipeline/inspect.js";
export * from "./pipeline/report.js";
export * from "./pipeline/precision-stage.js";
export * from "./diff/index.js";
