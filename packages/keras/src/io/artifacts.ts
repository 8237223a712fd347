/**
 * The tfjs LayersModel format, as data: `ModelArtifacts` (topology JSON, weight specs and
 * one binary buffer), the `model.json` layout with its weights manifest, and the IO handler
 * contract (`save(artifacts)` / `load()`), compatible with tfjs's `tf.io` handlers.
 *
 * ```ts
 * const handler: keras.io.IOHandler = { load: async () => artifacts };
 * ```
 */

/** One weight in a manifest: name, shape, dtype (and tfjs's optional group). */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: "float32" | "int32" | "bool";
  group?: string;
}

/** A shard group of the weights manifest in `model.json`. */
export interface WeightsManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** Everything a saved model holds. */
export interface ModelArtifacts {
  modelTopology?: object;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: object;
  weightSpecs?: WeightSpec[];
  weightData?: ArrayBuffer;
  userDefinedMetadata?: Record<string, unknown>;
}

/** The JSON file of the format (`model.json`). */
export interface ModelJSON {
  modelTopology: object;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: object;
  weightsManifest: WeightsManifestGroup[];
  userDefinedMetadata?: Record<string, unknown>;
}

/** What a save returns (tfjs's `SaveResult`). */
export interface SaveResult {
  modelArtifactsInfo: {
    dateSaved: Date;
    modelTopologyType: "JSON";
    modelTopologyBytes?: number;
    weightSpecsBytes?: number;
    weightDataBytes?: number;
  };
  responses?: unknown[];
}

/** Saves and/or loads artifacts (tfjs's `IOHandler`). */
export interface IOHandler {
  save?(artifacts: ModelArtifacts): Promise<SaveResult>;
  load?(): Promise<ModelArtifacts>;
}

/** The save summary for artifacts. */
export function artifactsInfo(artifacts: ModelArtifacts): SaveResult["modelArtifactsInfo"] {
  return {
    dateSaved: new Date(),
    modelTopologyType: "JSON",
    modelTopologyBytes: JSON.stringify(artifacts.modelTopology ?? {}).length,
    weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
    weightDataBytes: artifacts.weightData?.byteLength ?? 0,
  };
}

/** The `model.json` content for artifacts whose weights go to `paths`. */
export function toModelJSON(artifacts: ModelArtifacts, paths: string[]): ModelJSON {
  const json: ModelJSON = {
    modelTopology: artifacts.modelTopology ?? {},
    format: artifacts.format ?? "layers-model",
    generatedBy: artifacts.generatedBy ?? "",
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths, weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig !== undefined) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata !== undefined) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  return json;
}

/** Concatenates shard buffers into one. */
export function concatBuffers(buffers: readonly ArrayBuffer[]): ArrayBuffer {
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out.buffer;
}
