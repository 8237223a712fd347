import { type DType, sizeOf, stridesOf } from "@kiln/core";
import { buildProgram, type Program, WORKGROUP } from "../../wgsl/shader.js";
import { floatBits, grid1d, type PlannedDispatch, type Ref } from "../kernel.js";

/**
 * One output dim of a view: output coordinate `c` reads input coordinate `c * step + start`
 * along an input dim of size `size` and element stride `stride`; with `wrap` the coordinate
 * is taken modulo `size` (Tile), with bounds checking an out-of-range one reads the fill
 * value (PadV2).
 */
export interface ViewDim {
  readonly extent: number;
  readonly step: number;
  readonly start: number;
  readonly size: number;
  readonly stride: number;
}

/**
 * A strided view of the input written out row-major: the one copy kernel behind Transpose,
 * ReverseV2, Slice, StridedSlice, PadV2, Tile, BroadcastTo, SplitV and Unpack. Elements are
 * copied as raw 32-bit words, so one pipeline serves every dtype; the shader depends only
 * on the view's rank and on whether it wraps or checks bounds.
 */
export interface View {
  readonly dims: readonly ViewDim[];
  readonly mode: "plain" | "wrap" | "pad";
  /** The fill value's bits (pad mode). */
  readonly fill?: number;
}

/** Merges neighbouring plain dims that read one contiguous run, and drops size-1 dims. */
function simplify(view: View): { dims: ViewDim[]; base: number } {
  if (view.mode !== "plain") return { dims: [...view.dims], base: 0 };
  let base = 0;
  const dims: ViewDim[] = [];
  for (const d of view.dims) {
    if (d.extent === 1) {
      base += d.start * d.stride;
      continue;
    }
    const last = dims.at(-1);
    if (
      last !== undefined &&
      last.step === 1 &&
      d.step === 1 &&
      last.start === 0 &&
      d.start === 0 &&
      d.size === d.extent &&
      last.stride === d.stride * d.extent
    ) {
      dims[dims.length - 1] = { extent: last.extent * d.extent, step: 1, start: 0, size: last.size * d.extent, stride: d.stride };
    } else dims.push(d);
  }
  return { dims, base };
}

const programs = new Map<string, Program>();

function viewProgram(rank: number, mode: View["mode"]): Program {
  const key = `${rank}/${mode}`;
  let program = programs.get(key);
  if (program !== undefined) return program;
  const lines = [
    "let total = param_u(0u);",
    "if (index >= total) { return; }",
    "var rest = index;",
    "var src = param_i(1u);",
    "var inside = true;",
  ];
  for (let d = rank - 1; d >= 0; d--) {
    const p = 3 + d * 5;
    lines.push(`{`);
    lines.push(d === 0 ? "  let c = rest;" : `  let c = rest % param_u(${p}u); rest = rest / param_u(${p}u);`);
    lines.push(`  var k = i32(c) * param_i(${p + 1}u) + param_i(${p + 2}u);`);
    if (mode === "wrap") lines.push(`  k = k % param_i(${p + 3}u);`);
    if (mode === "pad") lines.push(`  inside = inside && k >= 0 && k < param_i(${p + 3}u);`);
    lines.push(`  src = src + k * param_i(${p + 4}u);`, "}");
  }
  lines.push(mode === "pad" ? "out0[index] = select(param_u(2u), in0[u32(src)], inside);" : "out0[index] = in0[u32(src)];");
  program = buildProgram({
    label: `view_r${rank}_${mode}`,
    inputs: ["u32"],
    outputs: ["u32"],
    params: 3 + rank * 5,
    workgroupSize: WORKGROUP,
    body: lines.join("\n"),
  });
  programs.set(key, program);
  return program;
}

/**
 * The dispatch that writes `view` of input ref `from` into output ref `to`.
 *
 * ```ts
 * viewDispatch(transposeView([2, 3], [1, 0]), input(0), output(0));
 * ```
 */
export function viewDispatch(view: View, from: Ref, to: Ref): PlannedDispatch {
  const { dims, base } = simplify(view);
  const total = dims.reduce((n, d) => n * d.extent, 1);
  const params = [total, base, view.fill ?? 0, ...dims.flatMap((d) => [d.extent, d.step, d.start, d.size, d.stride])];
  return {
    program: viewProgram(dims.length, view.mode),
    inputs: [from],
    outputs: [to],
    params: Uint32Array.from(params, (v) => v >>> 0),
    grid: grid1d(view.dims.reduce((n, d) => n * d.extent, 1)),
  };
}

/** Dims reading `shape` in order, from `begin` with `steps` (defaults: the whole tensor). */
export function boxView(shape: readonly number[], extents: readonly number[], begin?: readonly number[], steps?: readonly number[]): View {
  const strides = stridesOf(shape);
  return {
    mode: "plain",
    dims: extents.map((extent, d) => ({ extent, step: steps?.[d] ?? 1, start: begin?.[d] ?? 0, size: shape[d]!, stride: strides[d]! })),
  };
}

/** The bits a fill value of `dtype` is stored as. */
export function fillBits(value: number, dtype: DType): number {
  return dtype === "float32" ? floatBits(value) : dtype === "int32" ? value >>> 0 : value !== 0 ? 1 : 0;
}

/** Elements of a shape (re-exported for the movement kernels). */
export const elements = sizeOf;
