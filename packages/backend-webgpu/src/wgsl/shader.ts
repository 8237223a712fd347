import { helperSource, helpersUsedBy } from "./math.js";

/** The element type of a storage binding. */
export type ElementType = "f32" | "i32" | "u32" | "vec4<f32>" | "vec4<i32>";

/**
 * What a compute shader needs, before it is assembled into WGSL: its storage bindings
 * (read-only inputs `in0, in1, ...`, then outputs `out0, ...`), how many u32 parameters it
 * reads from its uniform block (`param_u(i)`, `param_i(i)`, `param_f(i)`), its workgroup
 * size, module-scope declarations (workgroup memory, functions) and the body of `main`.
 * In the body, `gid`, `lid` (local index), `lid3`, `wid`, `nwg` are the invocation's
 * builtins and `index` is the flat invocation index of a 1D grid folded into 2D
 * (`dispatchGrid`), so more than 65535 workgroups fit.
 */
export interface ShaderSpec {
  readonly label: string;
  readonly inputs: readonly ElementType[];
  readonly outputs: readonly ElementType[];
  readonly params: number;
  readonly workgroupSize: number | readonly [number, number, number];
  readonly declarations?: string;
  readonly body: string;
}

/**
 * A compute shader ready to compile: the full WGSL text (the pipeline cache's key: it is
 * exactly what the pipeline depends on) and its binding counts.
 */
export interface Program {
  readonly label: string;
  readonly source: string;
  readonly inputs: number;
  readonly outputs: number;
  readonly params: number;
  readonly workgroupSize: readonly [number, number, number];
}

/** Threads per workgroup for 1D kernels (the WebGPU default limit, and SwiftShader's maximum). */
export const WORKGROUP = 256;

/**
 * Assembles a shader: bindings, parameter accessors, the `kiln_*` math helpers the code
 * calls (and nothing else), declarations and `main`.
 *
 * ```ts
 * buildProgram({ label: "neg", inputs: ["f32"], outputs: ["f32"], params: 1, workgroupSize: 256,
 *   body: "if (index >= param_u(0u)) { return; } out0[index] = -in0[index];" });
 * ```
 */
export function buildProgram(spec: ShaderSpec): Program {
  const size: [number, number, number] = typeof spec.workgroupSize === "number" ? [spec.workgroupSize, 1, 1] : [...spec.workgroupSize];
  const lines: string[] = [`// ${spec.label}`];
  spec.inputs.forEach((type, k) => lines.push(`@group(0) @binding(${k}) var<storage, read> in${k}: array<${type}>;`));
  spec.outputs.forEach((type, k) =>
    lines.push(`@group(0) @binding(${spec.inputs.length + k}) var<storage, read_write> out${k}: array<${type}>;`),
  );
  if (spec.params > 0) {
    const binding = spec.inputs.length + spec.outputs.length;
    lines.push(
      `@group(0) @binding(${binding}) var<uniform> params: array<vec4<u32>, ${Math.ceil(spec.params / 4)}>;`,
      "fn param_u(i: u32) -> u32 { return params[i >> 2u][i & 3u]; }",
      "fn param_i(i: u32) -> i32 { return bitcast<i32>(param_u(i)); }",
      "fn param_f(i: u32) -> f32 { return bitcast<f32>(param_u(i)); }",
    );
  }
  const code = `${spec.declarations ?? ""}\n${spec.body}`;
  const helpers = helperSource(helpersUsedBy(code));
  if (helpers !== "") lines.push(helpers);
  if (spec.declarations !== undefined && spec.declarations !== "") lines.push(spec.declarations);
  lines.push(
    `@compute @workgroup_size(${size.join(", ")})`,
    "fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {",
    `  let index = gid.x + gid.y * nwg.x * ${size[0] * size[1] * size[2]}u;`,
    indent(spec.body, "  "),
    "}",
  );
  return {
    label: spec.label,
    source: `${lines.join("\n")}\n`,
    inputs: spec.inputs.length,
    outputs: spec.outputs.length,
    params: spec.params,
    workgroupSize: size,
  };
}

/** Indents every line of `text`. */
export function indent(text: string, by: string): string {
  return text
    .split("\n")
    .map((line) => (line === "" ? line : by + line))
    .join("\n");
}

/** A u32 literal. */
export function u32(n: number): string {
  return `${n >>> 0}u`;
}
