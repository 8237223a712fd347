import { type AnyOpDef, coreOpDefs, KilnError, scalarKernelOf, sizeOf } from "@kiln/core";
import { storageType } from "../../wgsl/dialect.js";
import { buildProgram, WORKGROUP } from "../../wgsl/shader.js";
import { grid1d, input, type KernelCompiler, output, planned } from "../kernel.js";
import { elementwiseCode } from "./codegen.js";

/**
 * The kernel of an elementwise op, generated from its scalar semantics in core (`OpDef.scalar`,
 * rendered by the WGSL dialect): one thread per output element, inputs read through their
 * broadcast strides. Dims and strides are parameters, so one pipeline serves every shape
 * with the same collapsed rank and input layouts.
 *
 * ```ts
 * elementwiseCompiler(tf.AddV2)(key, backend); // float32 or int32 add with broadcasting
 * ```
 */
export function elementwiseCompiler(op: AnyOpDef): KernelCompiler {
  return (key) => {
    const ins = key.inputs.map((v) => ({ dtype: v.dtype!, shape: v.shape! }));
    const out = key.outputs[0]!;
    const kernel = scalarKernelOf(
      op,
      ins.map((i) => i.dtype),
      out.dtype!,
      key.attrs,
    );
    if (kernel === undefined) {
      throw new KilnError(`webgpu backend: ${op.name} has no scalar semantics for ${ins.map((i) => i.dtype).join(", ")} -> ${out.dtype}`);
    }
    const spec = {
      shape: out.shape!,
      inputs: ins,
      ops: [{ kernel, operands: ins.map((_, k) => ({ input: k })), dtype: out.dtype! }],
      outputs: [0],
    };
    const code = elementwiseCode(spec, { baked: false, inputBindings: ins.map((_, k) => k), paramBase: 1 });
    const program = buildProgram({
      label: `${op.name}_${ins.map((i) => i.dtype).join("_")}_${code.signature}`,
      inputs: ins.map((i) => storageType(i.dtype)),
      outputs: [storageType(out.dtype!)],
      params: 1 + code.params.length,
      workgroupSize: WORKGROUP,
      body: `let i = index;\nif (i >= param_u(0u)) { return; }\n${code.statements}`,
    });
    const size = sizeOf(out.shape!);
    return planned({
      dispatches: [
        {
          program,
          inputs: ins.map((_, k) => input(k)),
          outputs: [output(0)],
          params: Uint32Array.from([size, ...code.params]),
          grid: grid1d(size),
        },
      ],
    });
  };
}

/** A compiler for every core op with scalar semantics (unary, binary, comparisons, logic, where, cast, ...). */
export function elementwiseCompilers(): [string, KernelCompiler][] {
  return coreOpDefs()
    .filter((op) => op.scalar !== undefined && op.name !== "Identity")
    .map((op) => [op.name, elementwiseCompiler(op)]);
}
