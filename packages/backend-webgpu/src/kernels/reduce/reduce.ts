import { type DType, normalizeAxes } from "@kiln/core";
import { storageType } from "../../wgsl/dialect.js";
import { buildProgram, type Program, WORKGROUP } from "../../wgsl/shader.js";
import { type Epilogue, type HeadCompiler, plainStore } from "../epilogue.js";
import { type Grid, grid1d, input, type KernelCompiler, output, type PlannedDispatch, planned, type Ref, temp } from "../kernel.js";
import { type Pass, reductionPasses } from "./passes.js";

export type Reducer = "sum" | "mean" | "max" | "min" | "prod";

type Scalar = "f32" | "i32" | "u32";

/**
 * How a reduction accumulates. Float sums (and means) are compensated and split by
 * magnitude: each accumulator is two (sum, error) pairs, one for elements below 2^64 and
 * one for larger elements scaled by 2^-64 (`kiln_wide_sum_add`, see wgsl/sum.ts), so a float32
 * sum of a million elements, or one whose partial sums leave the float32 range, matches the
 * cpu oracle's double-precision sum rounded once. Float
 * products are (mantissa, exponent) pairs (`kiln_prod_mul`, see wgsl/product.ts), so an
 * intermediate product outside the float32 range neither overflows nor underflows, as in
 * the oracle's double-precision product, and only the result is rounded to float32.
 * Partial results between passes keep every component (stored as `planes` planes of a
 * temporary).
 */
interface Accumulator {
  readonly type: string;
  readonly init: string;
  /** Components of `type`: 1 for a scalar. */
  readonly planes: number;
  /** Helpers the shader needs that the generated calls do not name (see helpersUsedBy). */
  readonly helpers: string;
  add(acc: string, value: string): string;
  merge(a: string, b: string): string;
  value(acc: string): string;
}

function accumulator(reducer: Reducer, scalar: Scalar): Accumulator {
  if ((reducer === "sum" || reducer === "mean") && scalar === "f32") {
    return {
      type: "vec4<f32>",
      init: "vec4<f32>(0.0)",
      planes: 4,
      helpers: "// kiln_wide_sum_add\n",
      add: (acc, v) => `kiln_wide_sum_add(${acc}, ${v})`,
      merge: (a, b) => `kiln_wide_sum_merge(${a}, ${b})`,
      value: (acc) => `kiln_wide_sum_value(${acc})`,
    };
  }
  if (reducer === "prod" && scalar === "f32") {
    return {
      type: "vec2<f32>",
      init: "vec2<f32>(0.5, 1.0)",
      planes: 2,
      helpers: "",
      add: (acc, v) => `kiln_prod_mul(${acc}, kiln_prod_split(${v}))`,
      merge: (a, b) => `kiln_prod_mul(${a}, ${b})`,
      value: (acc) => `kiln_prod_value(${acc})`,
    };
  }
  const step = (a: string, b: string): string => {
    if (reducer === "sum" || reducer === "mean") return `(${a} + ${b})`;
    if (reducer === "prod") return `(${a} * ${b})`;
    return scalar === "f32" ? `kiln_${reducer}_f32(${a}, ${b})` : `${reducer}(${a}, ${b})`;
  };
  return { type: scalar, init: identity(reducer, scalar), planes: 1, helpers: "", add: step, merge: step, value: (acc) => acc };
}

/** The value of an empty reduction. */
function identity(reducer: Reducer, scalar: Scalar): string {
  if (reducer === "sum" || reducer === "mean") return scalar === "f32" ? "0.0" : scalar === "i32" ? "0" : "0u";
  if (reducer === "prod") return scalar === "f32" ? "1.0" : scalar === "i32" ? "1" : "1u";
  if (reducer === "max") return scalar === "f32" ? "kiln_f32_bits(0xff800000u)" : scalar === "i32" ? "bitcast<i32>(0x80000000u)" : "0u";
  return scalar === "f32" ? "kiln_f32_bits(0x7f800000u)" : scalar === "i32" ? "2147483647" : "1u";
}

/** An element stored as `from` as an accumulator scalar. */
function convert(from: Scalar, to: Scalar, element: string): string {
  if (from === to) return element;
  if (to === "f32") return from === "i32" ? `kiln_i2f(${element})` : `f32(${element})`;
  return `${to}(${element})`;
}

/** Outputs at least this many run one thread each; fewer, with long rows, get a workgroup each. */
const THREAD_PER_OUTPUT = 1024;
/** Rows longer than this are first cut into chunks of this length, one workgroup each. */
const CHUNK = 4096;

/** Where a pass reads: the op's input (elements of `scalar`), or an earlier pass's partials. */
interface Source {
  readonly scalar: Scalar;
  readonly partial: boolean;
}

interface BuiltPass {
  readonly program: Program;
  readonly grid: Grid;
  readonly params: Uint32Array;
  /** For a chunked pass: the pass that must follow over its partials. */
  readonly next?: Pass;
}

/**
 * One pass over `[outer, size, inner]`: a serial loop per output when there are many
 * outputs or short rows; otherwise a workgroup per output that strides the row and merges
 * its 256 partial results as a tree in workgroup memory; rows longer than `CHUNK` with few
 * outputs first become `[outer, chunks, inner]` partials. Parameters: outer, size, inner,
 * chunk, count (for the mean), source plane size, target plane size.
 */
function passProgram(reducer: Reducer, scalar: Scalar, source: Source, pass: Pass, store: Epilogue | undefined, count: number): BuiltPass {
  const acc = accumulator(reducer, scalar);
  const outputs = pass.outer * pass.inner;
  const serial = outputs >= THREAD_PER_OUTPUT || pass.size <= 128;
  const chunked = !serial && pass.size > CHUNK;
  const chunks = chunked ? Math.ceil(pass.size / CHUNK) : 1;
  const final = store !== undefined && !chunked;
  // Folding element `at` of the source into `acc`. An int32 element of a float mean is added
  // as two halves that float32 holds exactly (its multiple of 256, then its low 8 bits), so
  // the compensated sum sees the exact integer and large values cannot lose their low bits.
  const fold = (at: string): string => {
    if (source.partial && acc.planes > 1) {
      const parts = Array.from({ length: acc.planes }, (_, p) => (p === 0 ? `in0[${at}]` : `in0[${at} + ${p}u * param_u(5u)]`));
      return `acc = ${acc.merge("acc", `${acc.type}(${parts.join(", ")})`)};`;
    }
    if (acc.planes > 1 && reducer !== "prod" && source.scalar === "i32") {
      return `let v = in0[${at}]; acc = ${acc.add(acc.add("acc", "f32(v & -256)"), "f32(v & 255)")};`;
    }
    return `acc = ${acc.add("acc", source.partial ? `in0[${at}]` : convert(source.scalar, scalar, `in0[${at}]`))};`;
  };
  const result = (a: string): string =>
    reducer === "mean" ? `select(kiln_nan(), kiln_wide_sum_mean(${a}, f32(param_u(4u))), param_u(4u) != 0u)` : acc.value(a);
  const write = (i: string, a: string): string => {
    if (final) return `store(${i}, ${result(a)});`;
    if (acc.planes === 1) return `out0[${i}] = ${a};`;
    return Array.from({ length: acc.planes }, (_, p) => `out0[${i}${p === 0 ? "" : ` + ${p}u * param_u(6u)`}] = ${a}[${p}];`).join(" ");
  };
  const inputType = source.partial ? scalar : source.scalar;
  const inputs = final ? [inputType, ...store.inputs] : [inputType];
  const outs = final ? store.outputs : [scalar];
  const targets = outputs * chunks;
  const params = Uint32Array.of(pass.outer, pass.size, pass.inner, CHUNK, count, pass.outer * pass.size * pass.inner, targets);
  const label = `reduce_${reducer}_${inputType}_${scalar}${source.partial ? "_partial" : ""}`;
  const uses = acc.helpers;
  if (serial) {
    const body = `if (index >= param_u(0u) * param_u(2u)) { return; }
let o = index / param_u(2u);
let j = index % param_u(2u);
let base = o * param_u(1u) * param_u(2u) + j;
var acc = ${acc.init};
for (var k = 0u; k < param_u(1u); k = k + 1u) { ${fold("base + k * param_u(2u)")} }
${write("index", "acc")}`;
    return {
      program: buildProgram({
        label: `${label}_serial`,
        inputs,
        outputs: outs,
        params: 7,
        workgroupSize: WORKGROUP,
        declarations: `${uses}${final ? store.declarations : ""}`,
        body,
      }),
      grid: grid1d(outputs),
      params,
    };
  }
  const body = `let g = wid.x + wid.y * nwg.x;
if (g >= ${targets}u) { return; }
let j = g % param_u(2u);
${chunked ? `let c = (g / param_u(2u)) % ${chunks}u;\nlet o = g / (param_u(2u) * ${chunks}u);\nlet begin = c * param_u(3u);\nlet end = min(param_u(1u), begin + param_u(3u));` : "let o = g / param_u(2u);\nlet begin = 0u;\nlet end = param_u(1u);"}
let base = o * param_u(1u) * param_u(2u) + j;
var acc = ${acc.init};
for (var k = begin + lid; k < end; k = k + ${WORKGROUP}u) { ${fold("base + k * param_u(2u)")} }
partial[lid] = acc;
workgroupBarrier();
for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
  if (lid < s) { partial[lid] = ${acc.merge("partial[lid]", "partial[lid + s]")}; }
  workgroupBarrier();
}
if (lid == 0u) { let total = partial[0]; ${write("g", "total")} }`;
  const program = buildProgram({
    label: `${label}_${chunked ? `chunk${chunks}` : "tree"}`,
    inputs,
    outputs: outs,
    params: 7,
    workgroupSize: WORKGROUP,
    declarations: `${uses}var<workgroup> partial: array<${acc.type}, ${WORKGROUP}>;\n${final ? store.declarations : ""}`,
    body,
  });
  const grid: Grid = targets <= 65535 ? [targets, 1, 1] : [65535, Math.ceil(targets / 65535), 1];
  return { program, grid, params, ...(chunked ? { next: { outer: pass.outer, size: chunks, inner: pass.inner } } : {}) };
}

/**
 * Sum, Mean, Max, Min, Prod, All and Any over any axes, in as few `[outer, size, inner]`
 * passes as the layout allows (see passes.ts), each a serial loop per output or a
 * workgroup tree reduction, with chunked passes for long rows. float32 sums are
 * compensated and float32 products keep an unbounded exponent (see `Accumulator`; the mean
 * of int32 folds each element in exactly, so it does not wrap and keeps large values' low
 * bits), int32 sums and products wrap, bools count in int32 (Sum, Prod) or combine
 * as 0/1 (All is min, Any is max). The last pass stores through the epilogue, so
 * `sqrt(mean(x))` can be one kernel.
 *
 * ```ts
 * reductionHead("sum")(key, backend, plainStore("float32"));
 * ```
 */
export function reductionHead(reducer: Reducer): HeadCompiler {
  return (key, _backend, epilogue) => {
    const x = key.inputs[0]!;
    const shape = x.shape!;
    const out = key.outputs[0]!;
    const axes = normalizeAxes(key.attrs.axis as readonly number[], shape.length, reducer);
    const scalar: Scalar = reducer === "mean" ? "f32" : (storageType(out.dtype!) as Scalar);
    const planes = accumulator(reducer, scalar).planes;
    const count = axes.reduce((n, a) => n * shape[a]!, 1);
    const queue = reductionPasses(shape, axes);
    const dispatches: PlannedDispatch[] = [];
    const temps: { dtype: "float32" | "int32" | "bool"; length: number }[] = [];
    let source: Ref = input(0);
    let from: Source = { scalar: storageType(x.dtype!) as Scalar, partial: false };
    while (queue.length > 0) {
      const pass = queue.shift()!;
      const built = passProgram(reducer, scalar, from, pass, queue.length === 0 ? epilogue : undefined, count);
      const final = built.next === undefined && queue.length === 0;
      if (built.next !== undefined) queue.unshift(built.next);
      if (!final) {
        const partials = built.next === undefined ? pass.outer * pass.inner : built.next.outer * built.next.size * built.next.inner;
        temps.push({ dtype: dtypeOf(scalar), length: partials * planes });
      }
      dispatches.push({
        program: built.program,
        inputs: final ? [source, ...epilogue.inputs.map((_, e) => input(1 + e))] : [source],
        outputs: final ? epilogue.outputs.map((_, k) => output(k)) : [temp(temps.length - 1)],
        params: built.params,
        grid: built.grid,
      });
      source = temp(temps.length - 1);
      from = { scalar, partial: true };
    }
    return planned({ dispatches, temps });
  };
}

function dtypeOf(scalar: Scalar): "float32" | "int32" | "bool" {
  return scalar === "f32" ? "float32" : scalar === "i32" ? "int32" : "bool";
}

/** A reduction kernel with a plain store. */
export function reductionCompiler(reducer: Reducer): KernelCompiler {
  return (key, backend) => reductionHead(reducer)(key, backend, plainStore(key.outputs[0]!.dtype as DType));
}
