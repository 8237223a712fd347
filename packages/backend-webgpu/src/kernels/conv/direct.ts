import { type ConvAttrs, type KernelKey, type PoolAttrs, sizeOf } from "@kiln/core";
import { storageType } from "../../wgsl/dialect.js";
import { buildProgram, WORKGROUP } from "../../wgsl/shader.js";
import { type Epilogue, type HeadCompiler, plainStore } from "../epilogue.js";
import { grid1d, input, type KernelCompiler, output, planned } from "../kernel.js";
import { GEOMETRY_PARAMS, type Geometry, geometry, geometryLets, geometryParams } from "./geometry.js";

/**
 * Windowed ops without channel mixing, one thread per output element: depthwise
 * convolution and its gradients, max and average pooling and theirs. Each thread walks its
 * window (or, for gradients with respect to the input, the windows that contain its pixel)
 * in row-major order, so sums run in the cpu oracle's order. Max pooling keeps the first
 * maximum in window order, NaN above every number; windows are clipped to the image, so
 * padding never wins a max nor counts toward a mean, and padded taps are skipped, never
 * multiplied. Products go through `kiln_mul_ieee`: infinity times a subnormal is infinite
 * even where the device flushes subnormals.
 */

/** Decodes `index` as an NHWC position (n, y, x, ch) of an image of `height x width x channels`. */
function nhwc(height: string, width: string, channels: string): string {
  return `let ch = index % ${channels};
let px = index / ${channels};
let xx = i32(px % ${width});
let yy = i32((px / ${width}) % ${height});
let n = px / (${width} * ${height});`;
}

/** A direct kernel: `body` computes `acc` (the value to store) for output element `index`. */
function direct(
  label: string,
  key: KernelKey<any>,
  g: Geometry,
  inputs: readonly ("f32" | "i32")[],
  body: string,
  epilogue: Epilogue,
  extra: readonly number[] = [],
) {
  const total = sizeOf(key.outputs[0]!.shape!);
  const program = buildProgram({
    label,
    inputs: [...inputs, ...epilogue.inputs],
    outputs: epilogue.outputs,
    params: 1 + GEOMETRY_PARAMS + extra.length,
    workgroupSize: WORKGROUP,
    declarations: epilogue.declarations,
    body: `if (index >= param_u(0u)) { return; }\n${geometryLets(1)}\n${body}\nstore(index, acc);`,
  });
  return planned({
    dispatches: [
      {
        program,
        inputs: [...inputs.map((_, k) => input(k)), ...epilogue.inputs.map((_, e) => input(inputs.length + e))],
        outputs: epilogue.outputs.map((_, k) => output(k)),
        params: Uint32Array.from([total, ...geometryParams(g), ...extra], (v) => v >>> 0),
        grid: grid1d(total),
      },
    ],
  });
}

/** The window of output (oy, ox) clipped to the image: `y0 <= iy < y1`, `x0 <= ix < x1` (pooling). */
const POOL_WINDOW = `let wy = oy * i32(SH) - PT;
let wx = ox * i32(SW) - PL;
let y0 = max(wy, 0); let y1 = min(wy + i32(FH), i32(H));
let x0 = max(wx, 0); let x1 = min(wx + i32(FW), i32(W));`;

/** Output element (n, oy, ox, ch) of a pooled or convolved image. */
const OUTPUT_POSITION = `let ch = index % C2;
let px = index / C2;
let ox = i32(px % OW);
let oy = i32((px / OW) % OH);
let n = px / (OW * OH);`;

export const depthwiseHead: HeadCompiler = (key, _backend, epilogue) => {
  const [x, filter] = key.inputs.map((v) => v.shape!);
  const g = geometry(x!, key.outputs[0]!.shape!, filter![0]!, filter![1]!, key.attrs as ConvAttrs);
  const outC = filter![2]! * filter![3]!;
  return direct(
    "depthwise_conv2d",
    key,
    g,
    ["f32", "f32"],
    `let C2 = param_u(${1 + GEOMETRY_PARAMS}u);
${OUTPUT_POSITION}
let c = ch / (C2 / C);
var acc = 0.0;
for (var ky = 0u; ky < FH; ky = ky + 1u) {
  let iy = oy * i32(SH) - PT + i32(ky * DH);
  if (iy < 0 || iy >= i32(H)) { continue; }
  for (var kx = 0u; kx < FW; kx = kx + 1u) {
    let ix = ox * i32(SW) - PL + i32(kx * DW);
    if (ix < 0 || ix >= i32(W)) { continue; }
    acc = acc + kiln_mul_ieee(in0[((n * H + u32(iy)) * W + u32(ix)) * C + c], in1[(ky * FW + kx) * C2 + ch]);
  }
}`,
    epilogue,
    [outC],
  );
};

/** dx of a depthwise convolution: each input pixel sums over the taps that read it. */
const depthwiseInput: KernelCompiler = (key) => {
  const [filter, dy] = key.inputs.map((v) => v.shape!);
  const g = geometry(key.outputs[0]!.shape!, dy!, filter![0]!, filter![1]!, key.attrs as ConvAttrs);
  const m = filter![3]!;
  return direct(
    "depthwise_conv2d_backprop_input",
    key,
    g,
    ["f32", "f32"],
    `let M = param_u(${1 + GEOMETRY_PARAMS}u);
${nhwc("H", "W", "C")}
var acc = 0.0;
for (var ky = 0u; ky < FH; ky = ky + 1u) {
  let ny = yy + PT - i32(ky * DH);
  if (ny < 0 || ny % i32(SH) != 0 || ny / i32(SH) >= i32(OH)) { continue; }
  for (var kx = 0u; kx < FW; kx = kx + 1u) {
    let nx = xx + PL - i32(kx * DW);
    if (nx < 0 || nx % i32(SW) != 0 || nx / i32(SW) >= i32(OW)) { continue; }
    let o = ((n * OH + u32(ny / i32(SH))) * OW + u32(nx / i32(SW))) * C * M + ch * M;
    for (var q = 0u; q < M; q = q + 1u) { acc = acc + kiln_mul_ieee(in1[o + q], in0[(ky * FW + kx) * C * M + ch * M + q]); }
  }
}`,
    plainStore("float32"),
    [m],
  );
};

/** dfilter of a depthwise convolution: each filter element sums over every output pixel. */
const depthwiseFilter: KernelCompiler = (key) => {
  const [x, dy] = key.inputs.map((v) => v.shape!);
  const out = key.outputs[0]!.shape!;
  const g = geometry(x!, dy!, out[0]!, out[1]!, key.attrs as ConvAttrs);
  const m = out[3]!;
  return direct(
    "depthwise_conv2d_backprop_filter",
    key,
    g,
    ["f32", "f32"],
    `let M = param_u(${1 + GEOMETRY_PARAMS}u);
let q = index % (C * M);
let c = q / M;
let kx = (index / (C * M)) % FW;
let ky = index / (C * M * FW);
var acc = 0.0;
for (var n = 0u; n < B; n = n + 1u) {
  for (var oy = 0u; oy < OH; oy = oy + 1u) {
    let iy = i32(oy * SH) - PT + i32(ky * DH);
    if (iy < 0 || iy >= i32(H)) { continue; }
    for (var ox = 0u; ox < OW; ox = ox + 1u) {
      let ix = i32(ox * SW) - PL + i32(kx * DW);
      if (ix < 0 || ix >= i32(W)) { continue; }
      acc = acc + kiln_mul_ieee(in0[((n * H + u32(iy)) * W + u32(ix)) * C + c], in1[((n * OH + oy) * OW + ox) * C * M + q]);
    }
  }
}`,
    plainStore("float32"),
    [m],
  );
};

/** WGSL for "v beats best" in max pooling: larger, or a NaN over a number (the first NaN stays). */
function beats(type: string): string {
  return type === "f32" ? "(v > best && !kiln_isnan(best)) || (kiln_isnan(v) && !kiln_isnan(best))" : "v > best";
}

function poolHead(kind: "max" | "avg"): HeadCompiler {
  return (key, _backend, epilogue) => {
    const attrs = key.attrs as PoolAttrs;
    const x = key.inputs[0]!;
    const g = geometry(x.shape!, key.outputs[0]!.shape!, attrs.ksize[1]!, attrs.ksize[2]!, attrs);
    const type = storageType(x.dtype!) as "f32" | "i32";
    const lowest = type === "f32" ? "kiln_f32_bits(0xff800000u)" : "bitcast<i32>(0x80000000u)";
    const body =
      kind === "max"
        ? `let C2 = C;
${OUTPUT_POSITION}
${POOL_WINDOW}
var acc = ${lowest};
var best = ${lowest};
for (var iy = y0; iy < y1; iy = iy + 1) {
  for (var ix = x0; ix < x1; ix = ix + 1) {
    let v = in0[((n * H + u32(iy)) * W + u32(ix)) * C + ch];
    if (${beats(type)}) { best = v; }
  }
}
acc = best;`
        : `let C2 = C;
${OUTPUT_POSITION}
${POOL_WINDOW}
var sum = 0.0;
var scaled = 0.0;
for (var iy = y0; iy < y1; iy = iy + 1) {
  for (var ix = x0; ix < x1; ix = ix + 1) {
    let v = in0[((n * H + u32(iy)) * W + u32(ix)) * C + ch];
    sum = sum + v;
    scaled = scaled + v * 0x1p-32f;
  }
}
let count = max(y1 - y0, 0) * max(x1 - x0, 0);
// A sum past the float32 range (the cpu oracle sums in double) is taken from the copy scaled
// by 2^-32 instead, where finite values never overflow: finite (overflowed values), or an
// infinity of the inputs (3e38 + 3e38 - Infinity is -Infinity, not Infinity - Infinity =
// NaN). Only a NaN input or infinities of both signs make the scaled sum NaN.
let mean = select(sum / f32(count), (scaled / f32(count)) * 0x1p32f, !kiln_finite(sum) && !kiln_isnan(scaled));
let acc = select(kiln_nan(), mean, count > 0);`;
    return direct(`${kind}pool_${type}`, key, g, [type], body, epilogue);
  };
}

export const maxPoolHead = poolHead("max");
export const avgPoolHead = poolHead("avg");

/** The flat x index of the maximum of output window (oy, ox) at channel ch, or -1 for an empty window (cpu's argmaxWindows). */
const WINDOW_ARGMAX = `fn window_argmax(n: u32, oy: i32, ox: i32, ch: u32) -> i32 {
  let H = param_u(2u); let W = param_u(3u); let C = param_u(4u);
  let FH = param_u(7u); let FW = param_u(8u); let SH = param_u(9u); let SW = param_u(10u);
  let wy = oy * i32(SH) - param_i(13u);
  let wx = ox * i32(SW) - param_i(14u);
  let y0 = max(wy, 0); let y1 = min(wy + i32(FH), i32(H));
  let x0 = max(wx, 0); let x1 = min(wx + i32(FW), i32(W));
  if (y0 >= y1 || x0 >= x1) { return -1; }
  var at = i32(((n * H + u32(y0)) * W + u32(x0)) * C + ch);
  var best = in0[u32(at)];
  for (var iy = y0; iy < y1; iy = iy + 1) {
    for (var ix = x0; ix < x1; ix = ix + 1) {
      let p = i32(((n * H + u32(iy)) * W + u32(ix)) * C + ch);
      let v = in0[u32(p)];
      if ((v > best && !kiln_isnan(best)) || (kiln_isnan(v) && !kiln_isnan(best))) { best = v; at = p; }
    }
  }
  return at;
}`;

/** MaxPoolGrad(x, y, dy): each x element sums dy over the windows whose maximum it is, in window order. */
const maxPoolGrad: KernelCompiler = (key) => {
  const attrs = key.attrs as PoolAttrs;
  const [x, y] = key.inputs.map((v) => v.shape!);
  const g = geometry(x!, y!, attrs.ksize[1]!, attrs.ksize[2]!, attrs);
  const program = buildProgram({
    label: "maxpool_grad",
    inputs: ["f32", "f32", "f32"],
    outputs: ["f32"],
    params: 1 + GEOMETRY_PARAMS,
    workgroupSize: WORKGROUP,
    declarations: WINDOW_ARGMAX,
    body: `if (index >= param_u(0u)) { return; }
${geometryLets(1)}
${nhwc("H", "W", "C")}
// Output windows containing (yy, xx): oy*SH - PT <= yy < oy*SH - PT + FH.
let oy0 = max(0, (yy + PT - i32(FH) + i32(SH)) / i32(SH));
let oy1 = min(i32(OH) - 1, (yy + PT) / i32(SH));
let ox0 = max(0, (xx + PL - i32(FW) + i32(SW)) / i32(SW));
let ox1 = min(i32(OW) - 1, (xx + PL) / i32(SW));
var acc = 0.0;
for (var oy = oy0; oy <= oy1; oy = oy + 1) {
  for (var ox = ox0; ox <= ox1; ox = ox + 1) {
    if (window_argmax(n, oy, ox, ch) == i32(index)) { acc = acc + in2[((n * OH + u32(oy)) * OW + u32(ox)) * C + ch]; }
  }
}
out0[index] = acc;`,
  });
  const total = sizeOf(key.outputs[0]!.shape!);
  return planned({
    dispatches: [
      {
        program,
        inputs: [input(0), input(1), input(2)],
        outputs: [output(0)],
        params: Uint32Array.from([total, ...geometryParams(g)], (v) => v >>> 0),
        grid: grid1d(total),
      },
    ],
  });
};

/** MaxPoolGradGrad(x, y, grad): each pooled element reads grad at its window's maximum. */
const maxPoolGradGrad: KernelCompiler = (key) => {
  const attrs = key.attrs as PoolAttrs;
  const x = key.inputs[0]!.shape!;
  const g = geometry(x, key.outputs[0]!.shape!, attrs.ksize[1]!, attrs.ksize[2]!, attrs);
  const program = buildProgram({
    label: "maxpool_grad_grad",
    inputs: ["f32", "f32", "f32"],
    outputs: ["f32"],
    params: 1 + GEOMETRY_PARAMS,
    workgroupSize: WORKGROUP,
    declarations: WINDOW_ARGMAX,
    body: `if (index >= param_u(0u)) { return; }
${geometryLets(1)}
let C2 = C;
${OUTPUT_POSITION}
let at = window_argmax(n, oy, ox, ch);
out0[index] = select(0.0, in2[u32(max(at, 0))], at >= 0);`,
  });
  const total = sizeOf(key.outputs[0]!.shape!);
  return planned({
    dispatches: [
      {
        program,
        inputs: [input(0), input(1), input(2)],
        outputs: [output(0)],
        params: Uint32Array.from([total, ...geometryParams(g)], (v) => v >>> 0),
        grid: grid1d(total),
      },
    ],
  });
};

/** AvgPoolGrad(dy): each x element sums dy / count over the windows containing it. */
const avgPoolGrad: KernelCompiler = (key) => {
  const attrs = key.attrs as PoolAttrs;
  const g = geometry(key.outputs[0]!.shape!, key.inputs[0]!.shape!, attrs.ksize[1]!, attrs.ksize[2]!, attrs);
  return direct(
    "avgpool_grad",
    key,
    g,
    ["f32"],
    `${nhwc("H", "W", "C")}
let oy0 = max(0, (yy + PT - i32(FH) + i32(SH)) / i32(SH));
let oy1 = min(i32(OH) - 1, (yy + PT) / i32(SH));
let ox0 = max(0, (xx + PL - i32(FW) + i32(SW)) / i32(SW));
let ox1 = min(i32(OW) - 1, (xx + PL) / i32(SW));
var acc = 0.0;
for (var oy = oy0; oy <= oy1; oy = oy + 1) {
  for (var ox = ox0; ox <= ox1; ox = ox + 1) {
${POOL_WINDOW.replace(/^/gm, "    ")}
    let count = (y1 - y0) * (x1 - x0);
    acc = acc + in0[((n * OH + u32(oy)) * OW + u32(ox)) * C + ch] / f32(count);
  }
}`,
    plainStore("float32"),
  );
};

export const directCompilers: [string, KernelCompiler][] = [
  ["DepthwiseConv2dNative", (key, backend) => depthwiseHead(key, backend, plainStore("float32"))],
  ["DepthwiseConv2dNativeBackpropInput", depthwiseInput],
  ["DepthwiseConv2dNativeBackpropFilter", depthwiseFilter],
  ["MaxPool", (key, backend) => maxPoolHead(key, backend, plainStore(key.outputs[0]!.dtype!))],
  ["AvgPool", (key, backend) => avgPoolHead(key, backend, plainStore("float32"))],
  ["MaxPoolGrad", maxPoolGrad],
  ["MaxPoolGradGrad", maxPoolGradGrad],
  ["AvgPoolGrad", avgPoolGrad],
];
