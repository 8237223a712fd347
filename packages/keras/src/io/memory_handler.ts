/**
 * In-memory handlers (tfjs's `tf.io.fromMemory` / `tf.io.withSaveHandler`): load from
 * artifacts you hold, or receive the artifacts of a save.
 *
 * ```ts
 * let saved!: keras.io.ModelArtifacts;
 * await model.save(keras.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: keras.io.artifactsInfo(a) }; }));
 * const copy = await keras.loadLayersModel(keras.io.fromMemory(saved));
 * ```
 */
import { ModelStateError } from "../errors.js";
import { artifactsInfo, type IOHandler, type ModelArtifacts, type SaveResult } from "./artifacts.js";

/** A handler whose `load` returns `artifacts` (copied, so the caller's buffer is not shared). */
export function fromMemory(artifacts: ModelArtifacts): IOHandler {
  return {
    load: async () => ({ ...artifacts, ...(artifacts.weightData === undefined ? {} : { weightData: artifacts.weightData.slice(0) }) }),
  };
}

/** A handler whose `save` calls `fn` with the artifacts. */
export function withSaveHandler(fn: (artifacts: ModelArtifacts) => Promise<SaveResult>): IOHandler {
  return { save: fn };
}

/** A handler that keeps the last saved artifacts and loads them back (handy for copies and tests). */
export class MemoryStore implements IOHandler {
  artifacts: ModelArtifacts | undefined;
  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    this.artifacts = { ...artifacts };
    return { modelArtifactsInfo: artifactsInfo(artifacts) };
  }
  async load(): Promise<ModelArtifacts> {
    if (this.artifacts === undefined) throw new ModelStateError("MemoryStore: nothing has been saved yet");
    return fromMemory(this.artifacts).load!();
  }
}
