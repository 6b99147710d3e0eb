/**
 * @ckpt/pickle/torch — PyTorch knowledge for the safe pickle reader: the rebuild
 * functions, storage classes and dtypes (interpreted here, never imported), lazy
 * tensor views, sparse COO, and the legacy torch.save format.
 */
export { loadTorchPickle, parseTorchPickle, loadLegacyTorch, type TorchPickleOptions, type StorageLoader, type StorageInfo } from "./load.js";
export { isLegacyTorch, runLegacyTorch } from "./legacy.js";
export { TORCH_GLOBALS } from "./globals.js";
export { STORAGE_DTYPES, DTYPE_STORAGE, TORCH_DTYPES, DTYPE_TORCH, UNTYPED_STORAGE } from "./dtypes.js";
export { TorchStorage } from "./storage.js";
export { viewSource, isContiguous, type ViewSpec, type ViewTarget } from "./view.js";
export { sliceSource } from "./byte-slice.js";
export { dumpTorchPickle, contiguousStrides, type TorchPickle, type StorageToWrite } from "./dump.js";
