/**
 * `file://` in Node: saving writes `model.json` and one `weights.bin` into a directory;
 * loading reads `model.json` and the shards its manifest names, relative to it. Node's
 * `fs` is imported only when a file handler is used, so browsers never load it.
 *
 * ```ts
 * await model.save("file:///tmp/my-model");
 * const loaded = await keras.loadLayersModel("file:///tmp/my-model/model.json");
 * ```
 */
import { ModelFormatError } from "../errors.js";
import {
  artifactsInfo,
  concatBuffers,
  type IOHandler,
  type ModelArtifacts,
  type ModelJSON,
  type SaveResult,
  toModelJSON,
} from "./artifacts.js";

const SCHEME = "file://";

/** Strips `file://` from a URL. */
export function filePath(url: string): string {
  return url.startsWith(SCHEME) ? url.slice(SCHEME.length) : url;
}

/** Reads and validates a `model.json` document. */
export function parseModelJSON(text: string, source: string): ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  const m = json as ModelJSON;
  if (m === null || typeof m !== "object" || typeof m.modelTopology !== "object" || m.modelTopology === null) {
    throw new ModelFormatError(`${source}: missing 'modelTopology'; is this a tfjs LayersModel model.json?`);
  }
  if (m.weightsManifest !== undefined && !Array.isArray(m.weightsManifest))
    throw new ModelFormatError(`${source}: 'weightsManifest' must be an array`);
  return m;
}

/** Artifacts from a parsed model.json and a function that fetches shard bytes by path. */
export async function artifactsFromModelJSON(json: ModelJSON, fetchShard: (path: string) => Promise<ArrayBuffer>): Promise<ModelArtifacts> {
  const groups = json.weightsManifest ?? [];
  const buffers: ArrayBuffer[] = [];
  for (const group of groups) for (const p of group.paths) buffers.push(await fetchShard(p));
  const artifacts: ModelArtifacts = {
    modelTopology: json.modelTopology,
    weightSpecs: groups.flatMap((g) => g.weights),
    weightData: concatBuffers(buffers),
  };
  if (json.format !== undefined) artifacts.format = json.format;
  if (json.generatedBy !== undefined) artifacts.generatedBy = json.generatedBy;
  if (json.convertedBy !== undefined) artifacts.convertedBy = json.convertedBy;
  if (json.trainingConfig !== undefined) artifacts.trainingConfig = json.trainingConfig;
  if (json.userDefinedMetadata !== undefined) artifacts.userDefinedMetadata = json.userDefinedMetadata;
  return artifacts;
}

/** A Node file-system handler: `url` is a directory to save into, or a model.json to load. */
export function fileSystem(url: string): IOHandler {
  const path = filePath(url);
  return {
    async save(artifacts: ModelArtifacts): Promise<SaveResult> {
      const fs = await import("node:fs/promises");
      const { join } = await import("node:path");
      const dir = path.endsWith("model.json") ? path.slice(0, -"model.json".length) : path;
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(join(dir, "weights.bin"), new Uint8Array(artifacts.weightData ?? new ArrayBuffer(0)));
      await fs.writeFile(join(dir, "model.json"), JSON.stringify(toModelJSON(artifacts, ["weights.bin"])));
      return { modelArtifactsInfo: artifactsInfo(artifacts) };
    },
    async load(): Promise<ModelArtifacts> {
      const fs = await import("node:fs/promises");
      const { dirname, join, resolve } = await import("node:path");
      const file = path.endsWith(".json") ? path : join(path, "model.json");
      const text = await fs.readFile(file, "utf8").catch((e: Error) => {
        throw new ModelFormatError(`loadLayersModel: cannot read ${file}: ${e.message}`);
      });
      const json = parseModelJSON(text, file);
      const dir = resolve(dirname(file));
      return artifactsFromModelJSON(json, async (p) => {
        const shard = resolve(dir, p);
        if (!shard.startsWith(dir)) throw new ModelFormatError(`${file}: weight path '${p}' points outside the model's directory`);
        const bytes = await fs.readFile(shard).catch((e: Error) => {
          throw new ModelFormatError(`${file}: cannot read weight shard '${p}': ${e.message}`);
        });
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      });
    },
  };
}
