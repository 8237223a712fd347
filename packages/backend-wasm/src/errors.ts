import { KilnError, ResourceExhaustedError } from "@kiln/core";

/**
 * The wasm heap could not hold an allocation (a tensor, or a kernel's scratch space): the
 * memory reached its limit (4 GiB for wasm32, or the `maxMemoryBytes` option) or the engine
 * refused to grow it. A `ResourceExhaustedError`, so core frees its pools of dead buffers
 * and retries once before reporting it.
 *
 * ```ts
 * try { tf.zeros([2 ** 30]); } catch (e) { if (e instanceof WasmOutOfMemoryError) console.log(e.bytes); }
 * ```
 */
export class WasmOutOfMemoryError extends ResourceExhaustedError {
  static override readonly errorName: string = "WasmOutOfMemoryError";

  constructor(
    readonly op: string,
    readonly bytes: number,
    heapBytes: number,
  ) {
    super(
      `${op}: the wasm backend could not allocate ${bytes} bytes (its memory holds ${heapBytes} bytes and cannot grow enough); ` +
        "dispose tensors you no longer need, or use smaller batches",
    );
  }
}

/**
 * A wasm kernel rejected its input (a status code from C), or was handed a disposed buffer.
 *
 * ```ts
 * backend.disposeData(id);
 * backend.readSync(id); // throws WasmKernelError: "read: a buffer given to the wasm backend was disposed ..."
 * ```
 */
export class WasmKernelError extends KilnError {
  static override readonly errorName: string = "WasmKernelError";
}
