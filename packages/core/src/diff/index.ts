export * from "./tensor-error.js";
export * from "./tree-diff.js";
export * from "./verify.js";
export * from "./diff-files.js";
