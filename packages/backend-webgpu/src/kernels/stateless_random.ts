import { type KernelKey, prng, sizeOf, type StatelessNormalAttrs, type StatelessUniformAttrs } from "@kiln/core";
import { buildProgram, WORKGROUP } from "../wgsl/shader.js";
import { floatBits, grid1d, input, type KernelCompiler, output, planned } from "./kernel.js";

/**
 * Kernels of the stateless (tensor-seeded) random ops, computed on the device: the seed
 * stays in its buffer (no read back to the host), one invocation per Philox block of four
 * elements. The WGSL is core's `base/prng_stateless.ts` line for line: Philox from 32-bit
 * integer steps, transforms from single float32 operations (no `log`, `cos` or `sqrt`
 * builtins, whose accuracy WGSL leaves to the device), constants passed as exact bit
 * patterns, so the values equal the cpu backend's bit for bit.
 */

/** A float32 constant as an exact WGSL expression. */
const f32 = (value: number): string => `bitcast<f32>(${floatBits(value)}u)`;

/** Horner's rule over `coeffs` in `x`, one rounded product and sum per step. */
function hornerSource(name: string, coeffs: readonly number[]): string {
  const lines = [`fn ${name}(x: f32) -> f32 {`, `  var acc = ${f32(coeffs[coeffs.length - 1]!)};`];
  for (let k = coeffs.length - 2; k >= 0; k--) lines.push(`  acc = acc * x;`, `  acc = acc + ${f32(coeffs[k]!)};`);
  lines.push("  return acc;", "}");
  return lines.join("\n");
}

const PHILOX = `fn kiln_mulhi(a: u32, b: u32) -> u32 {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let lh = a_lo * b_hi;
  let hl = a_hi * b_lo;
  let mid = ((a_lo * b_lo) >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return a_hi * b_hi + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
}
fn kiln_philox(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var round = 0u; round < 10u; round++) {
    let hi0 = kiln_mulhi(c.x, 0xd2511f53u);
    let lo0 = c.x * 0xd2511f53u;
    let hi1 = kiln_mulhi(c.z, 0xcd9e8d57u);
    let lo1 = c.z * 0xcd9e8d57u;
    c = vec4<u32>(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
    k = k + vec2<u32>(0x9e3779b9u, 0xbb67ae85u);
  }
  return c;
}
fn kiln_seed_key() -> vec2<u32> { return vec2<u32>(in0[0], in0[1]); }`;

const NORMALS = `${hornerSource("kiln_log_poly", prng.LOG_COEFFS)}
${hornerSource("kiln_sin_poly", prng.SIN_COEFFS)}
${hornerSource("kiln_cos_poly", prng.COS_COEFFS)}
fn kiln_portable_log(k: u32) -> f32 {
  var e = 31 - i32(countLeadingZeros(k));
  var m = f32(k) * bitcast<f32>(u32(127 - e) << 23u);
  if (m > ${f32(Math.SQRT2)}) {
    m = m * 0.5;
    e = e + 1;
  }
  let t = m - 1.0;
  let a = f32(e - 24) * ${f32(Math.LN2)};
  let b = t * kiln_log_poly(t);
  return a + b;
}
fn kiln_portable_sqrt(x: f32) -> f32 {
  if (!(x > 0.0)) { return 0.0; }
  var y = bitcast<f32>(0x5f3759dfu - (bitcast<u32>(x) >> 1u));
  let half = x * 0.5;
  for (var i = 0; i < 3; i++) {
    let yy = y * y;
    let hyy = half * yy;
    let d = 1.5 - hyy;
    y = y * d;
  }
  return x * y;
}
fn kiln_normal_pair(a: u32, b: u32) -> vec2<f32> {
  let l = kiln_portable_log((a >> 8u) + 1u);
  let r = kiln_portable_sqrt(-2.0 * l);
  let quadrant = b >> 30u;
  let d = f32((b >> 6u) & 0xffffffu) * ${f32(2 ** -24)} - 0.5;
  let theta = d * ${f32(Math.PI / 2)};
  let x2 = theta * theta;
  let s = theta * kiln_sin_poly(x2);
  let c = kiln_cos_poly(x2);
  let cq = (c - s) * ${f32(Math.SQRT1_2)};
  let sq = (c + s) * ${f32(Math.SQRT1_2)};
  var cs = vec2<f32>(cq, sq);
  if (quadrant == 1u) { cs = vec2<f32>(-sq, cq); }
  if (quadrant == 2u) { cs = vec2<f32>(-cq, -sq); }
  if (quadrant == 3u) { cs = vec2<f32>(sq, -cq); }
  return vec2<f32>(r * cs.x, r * cs.y);
}
fn kiln_normals(counter: vec4<u32>, key: vec2<u32>) -> vec4<f32> {
  let w = kiln_philox(counter, key);
  return vec4<f32>(kiln_normal_pair(w.x, w.y), kiln_normal_pair(w.z, w.w));
}
fn kiln_redraw(i: u32, key: vec2<u32>) -> f32 {
  for (var attempt = 1u; ; attempt++) {
    var z = kiln_normals(vec4<u32>(i, 0u, attempt, 0u), key);
    for (var j = 0u; j < 4u; j++) {
      if (abs(z[j]) < 2.0) { return z[j]; }
    }
  }
  return 0.0;
}`;

/** The loop over a block's four elements, writing `out0[i] = <value of word or normal j>`. */
const blockLoop = (value: string): string => `let block = index;
if (block >= param_u(1u)) { return; }
let key = kiln_seed_key();
${value}`;

const uniformFloat = buildProgram({
  label: "stateless_uniform_f32",
  inputs: ["u32"],
  outputs: ["u32"],
  params: 5,
  workgroupSize: WORKGROUP,
  declarations: PHILOX,
  body: blockLoop(`var w = kiln_philox(vec4<u32>(block, 0u, 0u, 0u), key);
let lo = param_f(2u);
let hi = param_f(3u);
let span = hi - lo;
for (var j = 0u; j < 4u; j++) {
  let i = block * 4u + j;
  if (i >= param_u(0u)) { break; }
  let u = f32(w[j] >> 9u) * ${f32(2 ** -23)};
  let p = u * span;
  let v = p + lo;
  out0[i] = select(bitcast<u32>(v), param_u(4u), span > 0.0 && v >= hi);
}`),
});

const uniformInt = buildProgram({
  label: "stateless_uniform_i32",
  inputs: ["u32"],
  outputs: ["u32"],
  params: 4,
  workgroupSize: WORKGROUP,
  declarations: PHILOX,
  body: blockLoop(`var w = kiln_philox(vec4<u32>(block, 0u, 0u, 0u), key);
for (var j = 0u; j < 4u; j++) {
  let i = block * 4u + j;
  if (i >= param_u(0u)) { break; }
  out0[i] = param_u(2u) + kiln_mulhi(w[j], param_u(3u));
}`),
});

function normalProgram(truncated: boolean) {
  return buildProgram({
    label: truncated ? "stateless_truncated_normal" : "stateless_normal",
    inputs: ["u32"],
    outputs: ["u32"],
    params: 4,
    workgroupSize: WORKGROUP,
    declarations: `${PHILOX}\n${NORMALS}`,
    body: blockLoop(`var z = kiln_normals(vec4<u32>(block, 0u, 0u, 0u), key);
for (var j = 0u; j < 4u; j++) {
  let i = block * 4u + j;
  if (i >= param_u(0u)) { break; }
  var v = z[j];
  ${truncated ? "if (!(abs(v) < 2.0)) { v = kiln_redraw(i, key); }" : ""}
  let p = v * param_f(3u);
  out0[i] = bitcast<u32>(p + param_f(2u));
}`),
  });
}

const normal = normalProgram(false);
const truncatedNormal = normalProgram(true);

/** One dispatch of `program` over the output's blocks. */
function dispatch(key: KernelKey<any>, program: ReturnType<typeof buildProgram>, extra: readonly number[]) {
  const size = sizeOf(key.outputs[0]!.shape!);
  const blocks = Math.ceil(size / 4);
  return planned({
    dispatches: [
      { program, inputs: [input(0)], outputs: [output(0)], params: Uint32Array.of(size, blocks, ...extra), grid: grid1d(blocks) },
    ],
  });
}

/** The largest float32 strictly below the float32 `x`, as bits. */
function bitsBelow(x: number): number {
  if (x === 0) return 0x80000001;
  const bits = floatBits(x);
  return x > 0 ? bits - 1 : bits + 1;
}

export const statelessRandomCompilers: [string, KernelCompiler][] = [
  [
    "StatelessRandomUniform",
    (key) => {
      const { minval, maxval } = key.attrs as StatelessUniformAttrs;
      if (key.outputs[0]!.dtype === "int32") return dispatch(key, uniformInt, [minval >>> 0, (maxval - minval) >>> 0]);
      return dispatch(key, uniformFloat, [floatBits(minval), floatBits(maxval), bitsBelow(Math.fround(maxval))]);
    },
  ],
  [
    "StatelessRandomNormal",
    (key) =>
      dispatch(key, normal, [floatBits((key.attrs as StatelessNormalAttrs).mean), floatBits((key.attrs as StatelessNormalAttrs).stdDev)]),
  ],
  [
    "StatelessTruncatedNormal",
    (key) =>
      dispatch(key, truncatedNormal, [
        floatBits((key.attrs as StatelessNormalAttrs).mean),
        floatBits((key.attrs as StatelessNormalAttrs).stdDev),
      ]),
  ],
];
