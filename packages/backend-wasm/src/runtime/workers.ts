import { isNode } from "./features.js";

/**
 * The code of a worker thread, as a string so that no separate worker file must be found
 * by Node, a bundler or a browser: it instantiates the shared module on the shared
 * memory, moves its stack pointer to its own stack, reports ready, and enters the C
 * worker loop (which never returns). Node runs it with `eval: true`; browsers from a Blob.
 */
const WORKER_SOURCE = `
function start(data, post) {
  const instance = new WebAssembly.Instance(data.module, { env: { memory: data.memory } });
  instance.exports.__stack_pointer.value = data.stackTop;
  post("ready");
  instance.exports.kiln_worker_main(data.thread);
}
if (typeof process === "object" && process.versions && process.versions.node) {
  // A dynamic import works whether Node runs this as a script or as a module (--input-type).
  import("node:worker_threads").then(({ parentPort, workerData }) => start(workerData, (m) => parentPort.postMessage(m)));
} else {
  self.onmessage = (event) => start(event.data, (m) => self.postMessage(m));
}
`;

/** What a worker needs to join the pool. */
export interface WorkerStart {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly stackTop: number;
  readonly thread: number;
}

/** A started worker thread; `terminate` stops it. */
export interface PoolWorker {
  terminate(): void;
}

/** Starts one worker thread: the thread is spawned at once; the promise resolves once it runs the worker loop. */
export type SpawnWorker = (start: WorkerStart) => Promise<PoolWorker>;

/**
 * The platform's way to start worker threads: Node's `worker_threads` (imported here, so
 * that spawning itself is synchronous) or a browser's `Worker`. In Node a worker is
 * unref'd once it runs: a program does not wait for idle kernel workers before exiting.
 *
 * ```ts
 * const spawn = await workerSpawner();
 * const worker = await spawn({ module, memory, stackTop, thread: 1 });
 * ```
 */
export async function workerSpawner(): Promise<SpawnWorker> {
  if (isNode()) {
    const name = "node:worker_threads";
    const { Worker } = (await import(/* @vite-ignore */ name)) as typeof import("node:worker_threads");
    return (start) => {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: start });
      return new Promise((resolve, reject) => {
        worker.once("message", () => {
          worker.unref();
          resolve({ terminate: () => void worker.terminate() });
        });
        worker.once("error", reject);
      });
    };
  }
  return (start) => {
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
    const worker = new Worker(url);
    URL.revokeObjectURL(url);
    return new Promise((resolve, reject) => {
      worker.onmessage = () => resolve({ terminate: () => worker.terminate() });
      worker.onerror = (event) => reject(new Error(event.message));
      worker.postMessage(start);
    });
  };
}
