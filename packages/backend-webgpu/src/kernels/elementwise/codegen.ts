import { type ConcreteShape, type DType, renderScalar, type ScalarKernel, sizeOf } from "@kiln/core";
import { loadWgsl, storageType, storeWgsl, wgslDialect } from "../../wgsl/dialect.js";
import { u32 } from "../../wgsl/shader.js";

/** An operand of an elementwise op: a kernel input, an earlier op's result, or the head's value `v`. */
export type Operand = { readonly input: number } | { readonly op: number } | { readonly head: number };

/** A list of elementwise ops over one output shape: a single op, or a fused cluster. */
export interface ElementwiseSpec {
  readonly shape: ConcreteShape;
  readonly inputs: readonly { readonly dtype: DType; readonly shape: ConcreteShape }[];
  readonly ops: readonly { readonly kernel: ScalarKernel; readonly operands: readonly Operand[]; readonly dtype: DType }[];
  /** Ops whose results are stored, in output order. */
  readonly outputs: readonly number[];
  /** The dtype of the head's value `v` (an epilogue); absent without a head. */
  readonly headDtype?: DType;
}

/** How an input is read at output element `i`. */
type Mode = "same" | "single" | "strided";

/**
 * The broadcast walk of the inputs over the output, with dims collapsed as far as possible
 * (size-1 output dims dropped, neighbours merged when every input reads them as one run):
 * `[2,1,3] + [4,3]` becomes a 2 x 12 walk.
 *
 * ```ts
 * collapse([2, 4, 3], [[2, 1, 3], [4, 3]]); // { dims: [2, 4, 3], strides: [[3, 0, 1], [0, 3, 1]] }
 * ```
 */
export function collapse(out: ConcreteShape, inputs: readonly ConcreteShape[]): { dims: number[]; strides: number[][] } {
  const full = inputs.map((shape) => {
    const strides = new Array<number>(out.length).fill(0);
    let stride = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (shape[d] !== 1) strides[d + out.length - shape.length] = stride;
      stride *= shape[d]!;
    }
    return strides;
  });
  const dims: number[] = [];
  const strides: number[][] = inputs.map(() => []);
  for (let d = 0; d < out.length; d++) {
    const size = out[d]!;
    if (size === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && full.every((s, k) => strides[k]![last] === s[d]! * size)) {
      dims[last]! *= size;
      full.forEach((s, k) => (strides[k]![last] = s[d]!));
    } else {
      dims.push(size);
      full.forEach((s, k) => strides[k]!.push(s[d]!));
    }
  }
  return { dims, strides };
}

function modeOf(shape: ConcreteShape, out: ConcreteShape, strides: readonly number[], dims: readonly number[]): Mode {
  if (sizeOf(shape) === 1) return "single";
  let expected = 1;
  for (let d = dims.length - 1; d >= 0; d--) {
    if (strides[d] !== expected) return "strided";
    expected *= dims[d]!;
  }
  return sizeOf(shape) === sizeOf(out) ? "same" : "strided";
}

/** Generated code: statements that compute every op for element `i` and store the outputs. */
export interface ElementwiseCode {
  readonly statements: string;
  /** Parameter values the statements read (dims and strides), when not baked in. */
  readonly params: number[];
  /** A stable description of the code's shape (what a pipeline depends on beside the expressions). */
  readonly signature: string;
}

/**
 * Generates the per-element code of an elementwise spec. With `baked`, dims and strides are
 * literals (a traced plan's fused clusters have static shapes); otherwise they come from
 * parameters starting at `paramBase`, so one pipeline serves every shape with the same
 * collapsed rank and input layouts. Inputs bind as `in<inputNames[k]>`, outputs as `out<k>`.
 *
 * ```ts
 * elementwiseCode(spec, { baked: true, inputBindings: [0, 1], paramBase: 0 }).statements;
 * ```
 */
export function elementwiseCode(
  spec: ElementwiseSpec,
  options: { baked: boolean; inputBindings: readonly number[]; paramBase: number },
): ElementwiseCode {
  const { dims, strides } = collapse(
    spec.shape,
    spec.inputs.map((i) => i.shape),
  );
  const modes = spec.inputs.map((input, k) => modeOf(input.shape, spec.shape, strides[k]!, dims));
  const params: number[] = [];
  const param = (value: number): string => {
    if (options.baked) return u32(value);
    params.push(value);
    return `param_u(${options.paramBase + params.length - 1}u)`;
  };
  const used = new Set<number>();
  for (const op of spec.ops) for (const o of op.operands) if ("input" in o) used.add(o.input);
  const lines: string[] = [];
  const strided = [...used].filter((k) => modes[k] === "strided");
  if (strided.length > 0) {
    // A zero dim means no thread runs; baked as 1 so the shader has no constant division by zero.
    const dimNames = dims.map((d) => param(Math.max(d, 1)));
    lines.push("var rest = i;");
    for (let d = dims.length - 1; d >= 1; d--) lines.push(`let c${d} = rest % ${dimNames[d]}; rest = rest / ${dimNames[d]};`);
    lines.push("let c0 = rest;");
  }
  const offset = (k: number): string => {
    if (modes[k] === "same") return "i";
    if (modes[k] === "single") return "0u";
    const terms = dims.flatMap((_, d) => {
      if (options.baked && strides[k]![d] === 0) return [];
      return [`c${d} * ${param(strides[k]![d]!)}`];
    });
    return terms.length === 0 ? "0u" : terms.join(" + ");
  };
  for (const k of [...used].sort((a, b) => a - b)) {
    lines.push(`let x${k} = ${loadWgsl(`in${options.inputBindings[k]}[${offset(k)}]`, spec.inputs[k]!.dtype)};`);
  }
  spec.ops.forEach((op, j) => {
    const names = op.operands.map((o) => ("input" in o ? `x${o.input}` : "op" in o ? `t${o.op}` : loadWgsl("v", spec.headDtype!)));
    const rendered = renderScalar(op.kernel, wgslDialect, names, `t${j}`);
    lines.push(...rendered.statements, `let t${j} = ${rendered.value};`);
  });
  spec.outputs.forEach((j, k) => lines.push(`out${k}[i] = ${storeWgsl(`t${j}`, spec.ops[j]!.dtype)};`));
  const signature = `${dims.length}:${modes.join(",")}`;
  return { statements: lines.join("\n"), params, signature };
}

/** The storage element types of a spec's outputs. */
export function outputTypes(spec: ElementwiseSpec): ("f32" | "i32" | "u32")[] {
  return spec.outputs.map((j) => storageType(spec.ops[j]!.dtype));
}
