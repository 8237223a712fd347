import { prng, type RandomNormalAttrs, type RandomUniformAttrs, type StatelessNormalAttrs, type StatelessUniformAttrs } from "@kiln/core";
import type { WasmKernel } from "./kernel_call.js";

/**
 * Random kernels: core's Philox streams ported to C (csrc/random.c), so a seeded op gives
 * the same values here as on the cpu backend; `seed: null` draws a fresh seed per run.
 * The stateless ops (csrc/stateless_random.c) read their key from the seed tensor in the heap.
 */

/** The largest float32 strictly below `x` (uniform draws never return maxval). */
function float32Below(x: number): number {
  const f = new Float32Array([x]);
  if (f[0]! < x) return f[0]!;
  if (f[0] === 0) return -1.401298464324817e-45;
  const bits = new Int32Array(f.buffer);
  bits[0] = f[0]! > 0 ? bits[0]! - 1 : bits[0]! + 1;
  return f[0]!;
}

const uniform: WasmKernel<RandomUniformAttrs> = (call) => {
  const out = call.outputs[0]!;
  const { minval, maxval, seed } = call.attrs;
  const [k0, k1] = prng.seedKey(seed ?? prng.freshSeed());
  const e = call.module.exports;
  if (out.dtype === "int32") e.kiln_random_uniform_int(out.ptr, out.size, k0, k1, minval, maxval);
  else e.kiln_random_uniform(out.ptr, out.size, k0, k1, minval, maxval, float32Below(maxval));
};

function normal(truncated: boolean): WasmKernel<RandomNormalAttrs> {
  return (call) => {
    const out = call.outputs[0]!;
    const { mean, stdDev, seed } = call.attrs;
    const [k0, k1] = prng.seedKey(seed ?? prng.freshSeed());
    call.module.exports.kiln_random_normal(out.ptr, out.size, k0, k1, mean, stdDev, truncated ? 1 : 0);
  };
}

const statelessUniform: WasmKernel<StatelessUniformAttrs> = (call) => {
  const out = call.outputs[0]!;
  const seed = call.inputs[0]!.ptr;
  const { minval, maxval } = call.attrs;
  const e = call.module.exports;
  if (out.dtype === "int32") e.kiln_stateless_uniform_int(out.ptr, out.size, seed, minval, maxval);
  else e.kiln_stateless_uniform(out.ptr, out.size, seed, minval, maxval, float32Below(Math.fround(maxval)));
};

function statelessNormal(truncated: boolean): WasmKernel<StatelessNormalAttrs> {
  return (call) => {
    const out = call.outputs[0]!;
    const { mean, stdDev } = call.attrs;
    call.module.exports.kiln_stateless_normal(out.ptr, out.size, call.inputs[0]!.ptr, mean, stdDev, truncated ? 1 : 0);
  };
}

export const randomKernels: { op: string; kernel: WasmKernel<any> }[] = [
  { op: "RandomUniform", kernel: uniform },
  { op: "RandomStandardNormal", kernel: normal(false) },
  { op: "TruncatedNormal", kernel: normal(true) },
  { op: "StatelessRandomUniform", kernel: statelessUniform },
  { op: "StatelessRandomNormal", kernel: statelessNormal(false) },
  { op: "StatelessTruncatedNormal", kernel: statelessNormal(true) },
];
