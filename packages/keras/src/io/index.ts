/**
 * The `keras.io` namespace: the LayersModel format types and the IO handlers.
 *
 * ```ts
 * await model.save(keras.io.withSaveHandler(async (artifacts) => ({ modelArtifactsInfo: keras.io.artifactsInfo(artifacts) })));
 * ```
 */
export * from "./artifacts.js";
export { fromMemory, withSaveHandler, MemoryStore } from "./memory_handler.js";
export { fileSystem } from "./file_handler.js";
export {
  browserLocalStorage,
  browserIndexedDB,
  browserDownloads,
  http,
  type KeyValueStorage,
  type IDBFactory,
} from "./browser_handlers.js";
export { modelArtifacts, modelTopology, saveModel, type SaveOptions } from "./save.js";
export { modelFromArtifacts, loadLayersModel, type LoadOptions } from "./load.js";
export { encodeWeights, decodeWeights } from "./weights.js";
