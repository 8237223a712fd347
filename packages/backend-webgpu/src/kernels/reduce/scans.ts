import { type CumsumAttrs, sizeOf, type TopKAttrs } from "@kiln/core";
import { storageType } from "../../wgsl/dialect.js";
import { buildProgram, WORKGROUP } from "../../wgsl/shader.js";
import { grid1d, input, type KernelCompiler, output, planned } from "../kernel.js";
import { splitAtAxis } from "./passes.js";

/**
 * ArgMax / ArgMin: one thread per output walks its row. Ties keep the lowest index and the
 * first NaN wins (it is the largest and the smallest), as on the cpu oracle. float32 values
 * compare on their bits (`kiln_order`: subnormals exactly, -0 equal to +0).
 */
function argCompiler(kind: "max" | "min"): KernelCompiler {
  return (key) => {
    const x = key.inputs[0]!;
    const shape = x.shape!;
    const axis = (key.attrs.axis as number) < 0 ? (key.attrs.axis as number) + shape.length : (key.attrs.axis as number);
    const pass = splitAtAxis(shape, axis);
    const type = storageType(x.dtype!);
    // float32 compares on the bits (kiln_order), so subnormals are not flushed to zero.
    const [l, r] = type === "f32" ? ["kiln_order(v)", "kiln_order(best)"] : ["v", "best"];
    const better = kind === "max" ? `${l} > ${r}` : `${l} < ${r}`;
    const nan = type === "f32" ? "kiln_isnan" : "";
    const body = `if (index >= param_u(0u) * param_u(2u)) { return; }
let o = index / param_u(2u);
let j = index % param_u(2u);
let base = o * param_u(1u) * param_u(2u) + j;
var best = in0[base];
var at = 0u;
${nan !== "" ? "if (!kiln_isnan(best)) {" : "{"}
  for (var k = 1u; k < param_u(1u); k = k + 1u) {
    let v = in0[base + k * param_u(2u)];
    ${nan !== "" ? "if (kiln_isnan(v)) { at = k; break; }" : ""}
    if (${better}) { best = v; at = k; }
  }
}
out0[index] = i32(at);`;
    const program = buildProgram({
      label: `arg${kind}_${type}`,
      inputs: [type],
      outputs: ["i32"],
      params: 3,
      workgroupSize: WORKGROUP,
      body,
    });
    const outputs = pass.outer * pass.inner;
    return planned({
      dispatches: [
        {
          program,
          inputs: [input(0)],
          outputs: [output(0)],
          params: Uint32Array.of(pass.outer, pass.size, pass.inner),
          grid: grid1d(outputs),
        },
      ],
    });
  };
}

/**
 * Cumsum: one thread per line along the axis, exclusive and reverse baked in. float32 runs
 * are compensated and split by magnitude like the reductions' sums (`kiln_wide_sum_add`, see
 * wgsl/sum.ts), so each prefix matches the cpu oracle's double-precision running sum rounded
 * once, even where a float32 running sum would overflow; int32 wraps.
 */
const cumsum: KernelCompiler = (key) => {
  const x = key.inputs[0]!;
  const shape = x.shape!;
  const attrs = key.attrs as CumsumAttrs;
  const axis = attrs.axis < 0 ? attrs.axis + shape.length : attrs.axis;
  const pass = splitAtAxis(shape, axis);
  const from = storageType(x.dtype!);
  const type = storageType(key.outputs[0]!.dtype!);
  const compensated = type === "f32";
  const init = compensated ? "vec4<f32>(0.0)" : "0";
  const add = compensated ? "acc = kiln_wide_sum_add(acc, v);" : "acc = acc + v;";
  const store = `out0[at] = ${compensated ? "kiln_wide_sum_value(acc)" : "acc"};`;
  const body = `if (index >= param_u(0u) * param_u(2u)) { return; }
let o = index / param_u(2u);
let j = index % param_u(2u);
let n = param_u(1u);
var acc = ${init};
for (var step = 0u; step < n; step = step + 1u) {
  let k = ${attrs.reverse ? "n - 1u - step" : "step"};
  let at = (o * n + k) * param_u(2u) + j;
  let v = ${from === type ? "in0[at]" : `${type}(in0[at])`};
  ${attrs.exclusive ? `${store}\n  ${add}` : `${add}\n  ${store}`}
}`;
  const program = buildProgram({
    label: `cumsum_${from}_${type}${attrs.exclusive ? "_exclusive" : ""}${attrs.reverse ? "_reverse" : ""}`,
    inputs: [from],
    outputs: [type],
    params: 3,
    workgroupSize: WORKGROUP,
    body,
  });
  return planned({
    dispatches: [
      {
        program,
        inputs: [input(0)],
        outputs: [output(0)],
        params: Uint32Array.of(pass.outer, pass.size, pass.inner),
        grid: grid1d(pass.outer * pass.inner),
      },
    ],
  });
};

/**
 * TopKV2: a workgroup per row; each element's rank is the number of elements that rank
 * above it (larger, NaN above every number, the lower index first between equals: a strict
 * total order, so ranks are distinct; float32 compares on the bits, `kiln_order`, so a device
 * that flushes subnormals still ranks them), and elements ranked below k are written at their
 * rank. Sorted output comes for free. Work per row is quadratic in its length.
 */
const topK: KernelCompiler = (key) => {
  const x = key.inputs[0]!;
  const shape = x.shape!;
  const k = (key.attrs as TopKAttrs).k;
  const n = shape[shape.length - 1] ?? 1;
  const rows = n === 0 ? 0 : sizeOf(shape) / n;
  const type = storageType(x.dtype!);
  const above =
    type === "f32"
      ? `fn above(va: f32, ia: u32, vb: f32, ib: u32) -> bool {
  let na = kiln_isnan(va);
  let nb = kiln_isnan(vb);
  if (na != nb) { return na; }
  if (!na) {
    let oa = kiln_order(va);
    let ob = kiln_order(vb);
    if (oa != ob) { return oa > ob; }
  }
  return ia < ib;
}`
      : `fn above(va: ${type}, ia: u32, vb: ${type}, ib: u32) -> bool {
  if (va != vb) { return va > vb; }
  return ia < ib;
}`;
  const body = `let row = wid.x + wid.y * nwg.x;
if (row >= param_u(0u)) { return; }
let n = param_u(1u);
let k = param_u(2u);
for (var t = lid; t < n; t = t + ${WORKGROUP}u) {
  let v = in0[row * n + t];
  var rank = 0u;
  for (var j = 0u; j < n; j = j + 1u) {
    if (above(in0[row * n + j], j, v, t)) { rank = rank + 1u; }
  }
  if (rank < k) {
    out0[row * k + rank] = v;
    out1[row * k + rank] = i32(t);
  }
}`;
  const program = buildProgram({
    label: `topk_${type}`,
    inputs: [type],
    outputs: [type, "i32"],
    params: 3,
    workgroupSize: WORKGROUP,
    declarations: above,
    body,
  });
  const grid = rows <= 65535 ? ([rows, 1, 1] as const) : ([65535, Math.ceil(rows / 65535), 1] as const);
  return planned({
    dispatches: k === 0 ? [] : [{ program, inputs: [input(0)], outputs: [output(0), output(1)], params: Uint32Array.of(rows, n, k), grid }],
  });
};

export const scanCompilers: [string, KernelCompiler][] = [
  ["ArgMax", argCompiler("max")],
  ["ArgMin", argCompiler("min")],
  ["Cumsum", cumsum],
  ["TopKV2", topK],
];
