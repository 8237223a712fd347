import { type AnyOpDef, coreOpDefs, type DType, scalarKernelOf } from "@kiln/core";
import { WasmKernelError } from "../../errors.js";
import { bytesOf, checkStatus, type KernelCall, type WasmKernel } from "../kernel_call.js";
import { collapseBroadcast } from "./broadcast.js";
import { kernelIdOf } from "./kernel_index.js";

const DTYPE_CODE: Readonly<Record<DType, number>> = { float32: 0, int32: 1, bool: 2 };

/** A small integer naming the input and output dtypes of a call, to cache kernel ids cheaply. */
function dtypeCode(call: KernelCall): number {
  let code = DTYPE_CODE[call.outputs[0]!.dtype];
  for (const t of call.inputs) code = code * 3 + DTYPE_CODE[t.dtype];
  return code;
}

/** Runs elementwise kernel `id` over the call: one flat loop, or the broadcast walk. */
export function runElementwise(call: KernelCall, id: number): void {
  const { inputs, module } = call;
  const out = call.outputs[0]!;
  const n = out.size;
  if (n === 0) return;
  const arity = inputs.length;
  let same = true;
  for (let k = 0; k < arity; k++) if (inputs[k]!.size !== n) same = false;
  const e = module.exports;
  if (same) {
    const a = inputs[0];
    const b = inputs[1];
    const c = inputs[2];
    const status = e.kiln_ew_same(
      id,
      out.ptr,
      bytesOf(out),
      a?.ptr ?? 0,
      a === undefined ? 0 : bytesOf(a),
      b?.ptr ?? 0,
      b === undefined ? 0 : bytesOf(b),
      c?.ptr ?? 0,
      c === undefined ? 0 : bytesOf(c),
      n,
      arity,
    );
    checkStatus(module, status, call.op);
    return;
  }
  const layout = collapseBroadcast(
    out.shape,
    inputs.map((t) => t.shape),
  );
  const frame = module.frame.begin();
  frame.push(id).push(arity).push(out.ptr).push(bytesOf(out));
  for (let k = 0; k < 3; k++) {
    const t = inputs[k];
    frame.push(t?.ptr ?? 0).push(t === undefined ? 0 : bytesOf(t));
  }
  frame.push(layout.shape.length).pushAll(layout.shape);
  for (const strides of layout.strides) frame.pushAll(strides);
  checkStatus(module, e.kiln_ew_strided(frame.ptr), call.op);
}

/**
 * The wasm kernel of an elementwise op: the compiled kernel for its scalar semantics in
 * core (`OpDef.scalar`), found once per dtype combination (per call for ops whose attrs
 * choose the semantics, as Cast and Gelu), run flat or broadcast.
 *
 * ```ts
 * elementwiseKernel(tf.AddV2); // float32 and int32, with broadcasting
 * ```
 */
export function elementwiseKernel(op: AnyOpDef): WasmKernel {
  const byDtypes: number[] = [];
  const attrsChoose = typeof op.scalar === "function";
  const resolve = (call: KernelCall): number => {
    const inputs = call.inputs.map((t) => t.dtype);
    const output = call.outputs[0]!.dtype;
    const kernel = scalarKernelOf(op, inputs, output, call.attrs);
    if (kernel === undefined) throw new WasmKernelError(`${op.name}: no wasm kernel for ${inputs.join(", ")} -> ${output}`);
    return kernelIdOf(kernel, op.name);
  };
  return (call) => {
    if (attrsChoose) return runElementwise(call, resolve(call));
    const code = dtypeCode(call);
    const id = byDtypes[code] ?? (byDtypes[code] = resolve(call));
    runElementwise(call, id);
  };
}

/** Every op with scalar semantics in core's table, with its generated kernel. */
export function elementwiseKernels(): { op: AnyOpDef; kernel: WasmKernel }[] {
  return coreOpDefs()
    .filter((op) => op.scalar !== undefined)
    .map((op) => ({ op, kernel: elementwiseKernel(op) }));
}
