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

/**
 * Starts one worker thread and resolves once it runs the worker loop. In Node the worker
 * is unref'd: a program does not wait for idle kernel workers before exiting.
 *
 * ```ts
 * const worker = await startWorker({ module, memory, stackTop, thread: 1 });
 * ```
 */
export async function startWorker(start: WorkerStart): Promise<PoolWorker> {
  if (isNode()) {
    const name = "node:worker_threads";
    const { Worker } = (await import(/* @vite-ignore */ name)) as typeof import("node:worker_threads");
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: start });
    await new Promise<void>((resolve, reject) => {
      worker.once("message", () => resolve());
      worker.once("error", reject);
    });
    worker.unref();
    return { terminate: () => void worker.terminate() };
  }
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  await new Promise<void>((resolve, reject) => {
    worker.onmessage = () => resolve();
    worker.onerror = (event) => reject(new Error(event.message));
    worker.postMessage(start);
  });
  return { terminate: () => worker.terminate() };
}
