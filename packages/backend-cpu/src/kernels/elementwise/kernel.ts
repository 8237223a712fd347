import {
  type AnyOpDef,
  type DataArray,
  type DataId,
  type DType,
  type KernelArgs,
  type KernelRegistration,
  KilnError,
  type ScalarKernel,
  scalarKernelOf,
  sizeOf,
} from "@kiln/core";
import type { CpuBackend } from "../../cpu_backend.js";
import { outputArray, outputId } from "../output.js";
import { broadcastLayout } from "./broadcast.js";
import { compileElementwiseBlocks } from "./block_loop.js";
import { compileElementwise, type ElementwiseLoop } from "./compile.js";

/**
 * Runs an elementwise loop: allocates the output, and takes the flat same-layout path when
 * every input already holds exactly the output's elements (same shape up to leading 1s),
 * otherwise the collapsed broadcast walk.
 */
export function runElementwise(args: KernelArgs<any, CpuBackend>, loop: ElementwiseLoop): DataId[] {
  const { inputs, outputs, backend } = args;
  const out = outputs[0]!;
  const size = sizeOf(out.shape);
  const result = outputArray(args);
  if (size > 0) {
    // A plain loop: the same-layout path runs on every call and should allocate nothing extra.
    const arrays: DataArray[] = new Array(inputs.length);
    let sameLayout = true;
    for (let k = 0; k < inputs.length; k++) {
      arrays[k] = backend.values(inputs[k]!.dataId);
      if (arrays[k]!.length !== size) sameLayout = false;
    }
    const layout = sameLayout ? null : broadcastLayout(out.shape, inputs.map((t) => t.shape));
    loop(result, arrays, layout);
  }
  return [outputId(args, result)];
}

const DTYPE_CODE: Readonly<Record<DType, number>> = { float32: 0, int32: 1, bool: 2 };

/** A small integer naming the input and output dtypes of a call, to key the loop cache cheaply. */
function dtypeCode(args: KernelArgs<any, CpuBackend>): number {
  let code = DTYPE_CODE[args.outputs[0]!.dtype];
  for (const t of args.inputs) code = code * 3 + DTYPE_CODE[t.dtype];
  return code;
}

/**
 * A cpu kernel registration for an elementwise op, generated from its scalar semantics in
 * core (`OpDef.scalar`). The loop for each scalar kernel (one per op, input dtypes and
 * output dtype, and attrs where they choose the semantics, as for Cast and Gelu) is
 * generated on first use and cached, so every dtype combination gets its own monomorphic loop.
 * A backend that may not generate code (`cpu({ codegen: false })`, or a Content-Security-Policy
 * without 'unsafe-eval') gets loops over the same semantics built without code generation instead (`block_loop.ts`).
 *
 * ```ts
 * elementwiseKernel(tf.AddV2); // float32 and int32 loops, with broadcasting
 * ```
 */
export function elementwiseKernel(op: AnyOpDef): KernelRegistration<any, CpuBackend> {
  // Ops whose semantics depend only on dtypes are keyed by a dtype code; the others by the
  // scalar kernel their attrs choose.
  // One cache per kind of loop: generated (index 1) and block loops (index 0).
  const byDtypes: [ElementwiseLoop[], ElementwiseLoop[]] = [[], []];
  const byKernel = [new Map<ScalarKernel, ElementwiseLoop>(), new Map<ScalarKernel, ElementwiseLoop>()] as const;
  const attrsChoose = typeof op.scalar === "function";
  const compile = (args: KernelArgs<any, CpuBackend>, codegen: boolean): ElementwiseLoop => {
    const inputs = args.inputs.map((t) => t.dtype);
    const output = args.outputs[0]!.dtype;
    const kernel = scalarKernelOf(op, inputs, output, args.attrs);
    if (kernel === undefined) throw new KilnError(`cpu backend: no ${op.name} kernel for ${inputs.join(", ")} -> ${output}`);
    const cache = byKernel[codegen ? 1 : 0];
    let loop = cache.get(kernel);
    if (loop === undefined) {
      loop = codegen ? compileElementwise(`${op.name}_${inputs.join("_")}`, kernel) : compileElementwiseBlocks(kernel);
      cache.set(kernel, loop);
    }
    return loop;
  };
  return {
    op,
    backend: "cpu",
    run: (args) => {
      const codegen = args.backend.codegen;
      if (attrsChoose) return runElementwise(args, compile(args, codegen));
      const code = dtypeCode(args);
      const loops = byDtypes[codegen ? 1 : 0];
      const loop = loops[code] ?? (loops[code] = compile(args, codegen));
      return runElementwise(args, loop);
    },
  };
}
