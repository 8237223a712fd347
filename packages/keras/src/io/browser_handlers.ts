/**
 * Browser handlers, with tfjs's storage layouts so models saved by tfjs load here and the
 * reverse: `localstorage://name` (keys `tensorflowjs_models/<name>/...`, weights in
 * base64), `indexeddb://name` (database `tensorflowjs`), `downloads://name` (a model.json
 * and a weights file offered as downloads) and `http(s)://` (load by `fetch`; save by a
 * multipart POST like tfjs's `http` handler).
 *
 * ```ts
 * await model.save("localstorage://my-model");
 * const again = await keras.loadLayersModel("localstorage://my-model");
 * ```
 */
import { ModelFormatError, ModelStateError } from "../errors.js";
import { artifactsInfo, type IOHandler, type ModelArtifacts, type SaveResult, toModelJSON } from "./artifacts.js";
import { artifactsFromModelJSON, parseModelJSON } from "./file_handler.js";

/** The subset of IndexedDB used (structural, so no DOM typings are needed). */
interface IDBRequest<T> {
  result: T;
  error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface IDBObjectStore {
  put(value: unknown): IDBRequest<unknown>;
  get(key: string): IDBRequest<unknown>;
}
interface IDBDatabase {
  createObjectStore(name: string, options: { keyPath: string }): unknown;
  transaction(stores: string | string[], mode: "readonly" | "readwrite"): { objectStore(name: string): IDBObjectStore };
  close(): void;
}
/** The subset of `indexedDB` used. */
export interface IDBFactory {
  open(name: string, version: number): IDBRequest<IDBDatabase> & { onupgradeneeded: (() => void) | null };
}
interface Anchor {
  download: string;
  href: string;
  click(): void;
}
interface Document {
  createElement(tag: "a"): Anchor;
}

/** The subset of the Web Storage API used (so tests can pass their own). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function toBase64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): ArrayBuffer {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

/** `localstorage://<path>` in tfjs's key layout. */
export function browserLocalStorage(
  path: string,
  storage: KeyValueStorage | undefined = (globalThis as { localStorage?: KeyValueStorage }).localStorage,
): IOHandler {
  const name = path.replace(/^localstorage:\/\//, "");
  const key = (part: string) => `tensorflowjs_models/${name}/${part}`;
  const store = () => {
    if (storage === undefined) throw new ModelStateError("localstorage:// needs window.localStorage (a browser)");
    return storage;
  };
  return {
    async save(artifacts: ModelArtifacts): Promise<SaveResult> {
      const s = store();
      const info = artifactsInfo(artifacts);
      s.setItem(key("info"), JSON.stringify(info));
      s.setItem(key("model_topology"), JSON.stringify(artifacts.modelTopology ?? {}));
      s.setItem(key("weight_specs"), JSON.stringify(artifacts.weightSpecs ?? []));
      s.setItem(key("weight_data"), toBase64(artifacts.weightData ?? new ArrayBuffer(0)));
      s.setItem(
        key("model_metadata"),
        JSON.stringify({
          format: artifacts.format,
          generatedBy: artifacts.generatedBy,
          convertedBy: artifacts.convertedBy,
          trainingConfig: artifacts.trainingConfig,
        }),
      );
      return { modelArtifactsInfo: info };
    },
    async load(): Promise<ModelArtifacts> {
      const s = store();
      const topology = s.getItem(key("model_topology"));
      if (topology === null) throw new ModelFormatError(`localstorage://${name}: no model saved under this name`);
      const specs = s.getItem(key("weight_specs"));
      const data = s.getItem(key("weight_data"));
      const metadata = JSON.parse(s.getItem(key("model_metadata")) ?? "{}") as Partial<ModelArtifacts>;
      if (specs === null || data === null) throw new ModelFormatError(`localstorage://${name}: weight specs or data are missing`);
      return { ...metadata, modelTopology: JSON.parse(topology), weightSpecs: JSON.parse(specs), weightData: fromBase64(data) };
    },
  };
}

const DATABASE = "tensorflowjs";
const MODEL_STORE = "models_store";
const INFO_STORE = "model_info_store";

function openDatabase(factory: IDBFactory): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(DATABASE, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore(MODEL_STORE, { keyPath: "modelPath" });
      db.createObjectStore(INFO_STORE, { keyPath: "modelPath" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** `indexeddb://<path>` in tfjs's database layout. */
export function browserIndexedDB(
  path: string,
  factory: IDBFactory | undefined = (globalThis as { indexedDB?: IDBFactory }).indexedDB,
): IOHandler {
  const modelPath = path.replace(/^indexeddb:\/\//, "");
  const db = () => {
    if (factory === undefined) throw new ModelStateError("indexeddb:// needs IndexedDB (a browser)");
    return openDatabase(factory);
  };
  return {
    async save(artifacts: ModelArtifacts): Promise<SaveResult> {
      const database = await db();
      try {
        const info = artifactsInfo(artifacts);
        const tx = database.transaction([INFO_STORE, MODEL_STORE], "readwrite");
        tx.objectStore(INFO_STORE).put({ modelPath, modelArtifactsInfo: info });
        await requestResult(tx.objectStore(MODEL_STORE).put({ modelPath, modelArtifacts: artifacts }));
        return { modelArtifactsInfo: info };
      } finally {
        database.close();
      }
    },
    async load(): Promise<ModelArtifacts> {
      const database = await db();
      try {
        const tx = database.transaction(MODEL_STORE, "readonly");
        const record = (await requestResult(tx.objectStore(MODEL_STORE).get(modelPath))) as { modelArtifacts?: ModelArtifacts } | undefined;
        if (record?.modelArtifacts === undefined) throw new ModelFormatError(`indexeddb://${modelPath}: no model saved under this path`);
        return record.modelArtifacts;
      } finally {
        database.close();
      }
    },
  };
}

/** `downloads://<name>`: offers `<name>.json` and `<name>.weights.bin` as downloads (browser only). */
export function browserDownloads(path: string): IOHandler {
  const name = path.replace(/^downloads:\/\//, "") || "model";
  return {
    async save(artifacts: ModelArtifacts): Promise<SaveResult> {
      const doc = (globalThis as { document?: Document }).document;
      if (doc === undefined) throw new ModelStateError("downloads:// needs a browser document; in Node use file://");
      const weightsName = `${name}.weights.bin`;
      const files: [string, Blob][] = [
        [`${name}.json`, new Blob([JSON.stringify(toModelJSON(artifacts, [`./${weightsName}`]))], { type: "application/json" })],
        [weightsName, new Blob([artifacts.weightData ?? new ArrayBuffer(0)], { type: "application/octet-stream" })],
      ];
      for (const [fileName, blob] of files) {
        const anchor = doc.createElement("a");
        anchor.download = fileName;
        anchor.href = URL.createObjectURL(blob);
        anchor.click();
      }
      return { modelArtifactsInfo: artifactsInfo(artifacts) };
    },
  };
}

/** `http(s)://.../model.json`: loads with `fetch` (shards relative to the JSON); saves with a multipart POST. */
export function http(url: string, fetchFn: typeof fetch = globalThis.fetch): IOHandler {
  return {
    async load(): Promise<ModelArtifacts> {
      const response = await fetchFn(url);
      if (!response.ok) throw new ModelFormatError(`loadLayersModel: GET ${url} failed with status ${response.status}`);
      const json = parseModelJSON(await response.text(), url);
      return artifactsFromModelJSON(json, async (p) => {
        const shardUrl = new URL(p, url).toString();
        const shard = await fetchFn(shardUrl);
        if (!shard.ok) throw new ModelFormatError(`loadLayersModel: GET ${shardUrl} failed with status ${shard.status}`);
        return shard.arrayBuffer();
      });
    },
    async save(artifacts: ModelArtifacts): Promise<SaveResult> {
      const form = new FormData();
      form.append(
        "model.json",
        new Blob([JSON.stringify(toModelJSON(artifacts, ["./model.weights.bin"]))], { type: "application/json" }),
        "model.json",
      );
      form.append(
        "model.weights.bin",
        new Blob([artifacts.weightData ?? new ArrayBuffer(0)], { type: "application/octet-stream" }),
        "model.weights.bin",
      );
      const response = await fetchFn(url, { method: "POST", body: form });
      if (!response.ok) throw new ModelFormatError(`model.save: POST ${url} failed with status ${response.status}`);
      return { modelArtifactsInfo: artifactsInfo(artifacts), responses: [response] };
    },
  };
}
