import { type DataArray, type DataId, type DType, type KernelArgs, type KernelRegistration, KilnError, sizeOf } from "@kiln/core";
import type { CpuBackend } from "../../cpu_backend.js";
import { outputArray, outputId } from "../output.js";
import { broadcastLayout } from "./broadcast.js";
import { compileElementwise, type ElementwiseLoop } from "./compile.js";

/** Chooses the expression for a call, from its input dtypes and attrs; undefined if unsupported. */
export type ExpressionPicker = (args: KernelArgs<any, CpuBackend>) => string | undefined;

/** Expressions per input dtype, in terms of `a` (and `b`, `c` for more inputs). */
export type ExpressionTable = Partial<Record<DType, string>>;

/** Picks from a table by the dtype of input `index` (the first, unless told). */
export function byDtype(table: ExpressionTable, index = 0): ExpressionPicker {
  return (args) => table[args.inputs[index]!.dtype];
}

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
 * A cpu kernel registration for an elementwise op of `arity` inputs. The loop for each
 * (expression, input dtypes, output dtype) is generated on first use and cached, so every
 * dtype combination gets its own monomorphic loop.
 *
 * ```ts
 * elementwiseKernel("AddV2", 2, byDtype({ float32: "a + b", int32: "(a + b) | 0" }));
 * ```
 */
export function elementwiseKernel(op: string, arity: 1 | 2 | 3, pick: ExpressionPicker): KernelRegistration<any, CpuBackend> {
  // expression -> dtype code -> loop; most ops see one or two entries.
  const loops = new Map<string, ElementwiseLoop[]>();
  return {
    op,
    backend: "cpu",
    run: (args) => {
      const expression = pick(args);
      if (expression === undefined) {
        const dtypes = `${args.inputs.map((t) => t.dtype).join(", ")} -> ${args.outputs[0]!.dtype}`;
        throw new KilnError(`cpu backend: no ${op} kernel for ${dtypes}`);
      }
      let byDtypes = loops.get(expression);
      if (byDtypes === undefined) loops.set(expression, (byDtypes = []));
      const code = dtypeCode(args);
      let loop = byDtypes[code];
      if (loop === undefined) {
        const label = `${op}_${args.inputs.map((t) => t.dtype).join("_")}`;
        loop = byDtypes[code] = compileElementwise(label, arity, expression);
      }
      return runElementwise(args, loop);
    },
  };
}
