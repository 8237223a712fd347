import { ArgumentError, type Attrs, type ConcreteShape, type DType, type KernelFn, type KilnError } from "@kiln/core";
import { WasmKernelError, WasmOutOfMemoryError } from "../errors.js";
import { STATUS } from "../runtime/exports.js";
import { elementBytes, type WasmBuffer } from "../runtime/heap.js";
import type { WasmModule } from "../runtime/module.js";
import type { WasmBackend } from "../wasm_backend.js";

/**
 * This file is the one place that speaks core's kernel contract (`KernelArgs`, offered
 * output buffers, `DataId`s). Kernels of this package are written against `KernelCall`:
 * input and output tensors as heap pointers with shapes, outputs already allocated. A
 * kernel must overwrite every element of its outputs (a reused buffer holds old values).
 */

/** A tensor in the wasm heap as a kernel sees it. */
export interface TensorRef {
  readonly ptr: number;
  readonly shape: ConcreteShape;
  readonly dtype: DType;
  readonly size: number;
}

/** What a wasm kernel receives. */
export interface KernelCall<A extends object = Attrs> {
  /** The op's name, for error messages. */
  readonly op: string;
  readonly attrs: A;
  readonly inputs: readonly TensorRef[];
  readonly outputs: readonly TensorRef[];
  readonly module: WasmModule;
}

/** A kernel: writes `call.outputs` from `call.inputs`, throwing a KilnError on bad input. */
export type WasmKernel<A extends object = Attrs> = (call: KernelCall<A>) => void;

/** Bytes per element of a tensor. */
export function bytesOf(ref: TensorRef): number {
  return elementBytes(ref.dtype);
}

/**
 * Adapts a wasm kernel to core's contract: resolves input pointers (a disposed input is a
 * WasmKernelError), takes the output buffers the plan offers or allocates fresh ones
 * (an allocation failure is a WasmOutOfMemoryError naming the op and size), and frees
 * fresh outputs again when the kernel throws.
 *
 * ```ts
 * const run = adaptKernel("Exp", (call) => { ... });
 * ```
 */
export function adaptKernel<A extends object>(op: string, kernel: WasmKernel<A>): KernelFn<A, WasmBackend> {
  return (args) => {
    const backend = args.backend;
    const heap = backend.heap;
    const inputs: TensorRef[] = new Array(args.inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const t = args.inputs[i]!;
      const buffer = t.dataId as WasmBuffer;
      inputs[i] = { ptr: heap.pointer(buffer, op), shape: t.shape, dtype: t.dtype, size: buffer.size };
    }
    const count = args.outputs.length;
    const ids: WasmBuffer[] = new Array(count);
    const outputs: TensorRef[] = new Array(count);
    let fresh = 0;
    try {
      for (let i = 0; i < count; i++) {
        const info = args.outputs[i]!;
        const offered = args.out?.[i] as WasmBuffer | undefined;
        let buffer: WasmBuffer;
        if (offered?.live) {
          buffer = offered;
        } else {
          buffer = backend.allocate(info.dtype, sizeOfShape(info.shape, op), op);
          fresh |= 1 << i;
        }
        ids[i] = buffer;
        outputs[i] = { ptr: buffer.ptr, shape: info.shape, dtype: info.dtype, size: buffer.size };
      }
      kernel({ op, attrs: args.attrs, inputs, outputs, module: backend.module });
    } catch (error) {
      for (let i = 0; i < count; i++) if ((fresh >> i) & 1 && ids[i] !== undefined) backend.disposeData(ids[i]!);
      throw error;
    }
    return ids;
  };
}

/** Element count of a shape; refuses counts no wasm32 heap could hold. */
function sizeOfShape(shape: ConcreteShape, op: string): number {
  let size = 1;
  for (let d = 0; d < shape.length; d++) size *= shape[d]!;
  if (!(size <= 2 ** 32))
    throw new ArgumentError(
      `${op}: an output of shape [${shape.join(",")}] has ${size} elements, more than the wasm backend's 4 GiB memory can hold`,
    );
  return size;
}

/**
 * Turns a kernel's status code into an exception (nothing for 0). The C side leaves the
 * details in the error record; `describe` may turn a code into a better message.
 */
export function checkStatus(
  module: WasmModule,
  status: number,
  op: string,
  describe?: (status: number, detail: Int32Array) => KilnError | undefined,
): void {
  if (status === STATUS.ok) return;
  const record = module.exports.kiln_error_record() >>> 2;
  const detail = module.heap.i32().slice(record, record + 8);
  const described = describe?.(status, detail);
  if (described !== undefined) throw described;
  if (status === STATUS.noMemory) throw new WasmOutOfMemoryError(op, detail[0]! >>> 0, module.heap.byteLength());
  throw new WasmKernelError(`${op}: the wasm kernel rejected its arguments (status ${status}, detail ${Array.from(detail).join(",")})`);
}
