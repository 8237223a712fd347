import type { ConvAttrs, KernelKey } from "@kiln/core";
import type { ElementType } from "../../wgsl/shader.js";
import { type Epilogue, type HeadCompiler, plainStore } from "../epilogue.js";
import { directGemmProgram, directGrid, directThreads, TILED_FROM } from "../gemm/direct.js";
import { type ExactTerms, scalarAt } from "../gemm/exact.js";
import { gemmProgram } from "../gemm/gemm.js";
import { denseLoadB, gatherLoadA, gatherLoadB } from "../gemm/loaders.js";
import { chooseSplit, chooseTile, gemmPlan } from "../gemm/plan.js";
import { input, type KernelCompiler, output, planned } from "../kernel.js";
import { GEOMETRY_PARAMS, type Geometry, geometry, geometryParams } from "./geometry.js";

/**
 * Conv2D and its two gradients as implicit GEMMs on the tiled matmul (gemm.ts): the patch
 * matrix is never built, the A loader computes each patch element from the image on the
 * fly. With `[M, K] x [K, N]`:
 *
 * - Conv2D: M = output pixels, K = fh * fw * inC (the filter already is `[K, N]`), N = outC;
 * - Conv2DBackpropInput: M = input pixels, K = fh * fw * outC, A reads `dy` where the
 *   stride grid lands, B reads the filter transposed per tap, N = inC;
 * - Conv2DBackpropFilter: M = fh * fw * inC, K = every output pixel (split-K), N = outC.
 */

/** Parameters shared by the three: M, N, K, splits, chunk, then the geometry. */
function convParams(m: number, n: number, k: number, split: { splits: number; chunk: number }, g: Geometry): Uint32Array {
  return Uint32Array.from([m, n, k, split.splits, split.chunk, ...geometryParams(g)], (v) => v >>> 0);
}

const PROLOGUE = `let M = param_u(0u);
let N = param_u(1u);
let K = param_u(2u);
let s = wid.z;
let kBegin = s * param_u(4u);
let kEnd = min(K, kBegin + param_u(4u));
let outBase = s * M * N;
let aOff = 0u;
let bOff = 0u;`;

type Variant = "forward" | "input" | "filter";

/** A patch element read through its tap: the value at `tap`, or 0 where the tap is -1 (padding, off the stride grid). */
function patch(name: string, tap: string, source: string): string {
  return `fn ${name}(gm: u32, gk: u32) -> f32 {
  let t = ${tap}(gm, gk);
  if (t < 0) { return 0.0; }
  return ${source}[u32(t)];
}`;
}

/** Conv2D's A(gm = output pixel, gk = (ky, kx, c)): the flat index into the image, or -1 over padding. */
const CONV_TAP = `fn conv_tap(gm: u32, gk: u32) -> i32 {
  let H = param_u(6u); let W = param_u(7u); let C = param_u(8u); let OH = param_u(9u); let OW = param_u(10u);
  let FW = param_u(12u); let SH = param_i(13u); let SW = param_i(14u); let DH = param_i(15u); let DW = param_i(16u);
  let n = gm / (OH * OW); let p = gm % (OH * OW); let oy = i32(p / OW); let ox = i32(p % OW);
  let c = gk % C; let t = gk / C; let ky = i32(t / FW); let kx = i32(t % FW);
  let iy = oy * SH - param_i(17u) + ky * DH; let ix = ox * SW - param_i(18u) + kx * DW;
  if (iy < 0 || ix < 0 || iy >= i32(H) || ix >= i32(W)) { return -1; }
  return i32(((n * H + u32(iy)) * W + u32(ix)) * C + c);
}
${patch("conv_patch", "conv_tap", "in0")}`;

/** Conv2DBackpropInput's A(gm = input pixel, gk = (ky, kx, oc)): the flat index into dy, or -1 where no output reads the pixel through the tap. */
const DY_TAP = `fn dy_tap(gm: u32, gk: u32) -> i32 {
  let H = param_u(6u); let W = param_u(7u); let OH = param_u(9u); let OW = param_u(10u);
  let FW = param_u(12u); let SH = param_i(13u); let SW = param_i(14u); let DH = param_i(15u); let DW = param_i(16u);
  let OC = param_u(19u);
  let n = gm / (H * W); let p = gm % (H * W); let iy = i32(p / W); let ix = i32(p % W);
  let oc = gk % OC; let t = gk / OC; let ky = i32(t / FW); let kx = i32(t % FW);
  let ny = iy + param_i(17u) - ky * DH; let nx = ix + param_i(18u) - kx * DW;
  if (ny < 0 || nx < 0 || ny % SH != 0 || nx % SW != 0) { return -1; }
  let oy = ny / SH; let ox = nx / SW;
  if (oy >= i32(OH) || ox >= i32(OW)) { return -1; }
  return i32(((n * OH + u32(oy)) * OW + u32(ox)) * OC + oc);
}
${patch("dy_patch", "dy_tap", "in1")}`;

/** Conv2DBackpropFilter's A(gm = (ky, kx, c), gk = output pixel): the flat index into the image, or -1 over padding. */
const X_TAP = `fn x_tap(gm: u32, gk: u32) -> i32 {
  let H = param_u(6u); let W = param_u(7u); let C = param_u(8u); let OH = param_u(9u); let OW = param_u(10u);
  let FW = param_u(12u); let SH = param_i(13u); let SW = param_i(14u); let DH = param_i(15u); let DW = param_i(16u);
  let c = gm % C; let t = gm / C; let ky = i32(t / FW); let kx = i32(t % FW);
  let n = gk / (OH * OW); let p = gk % (OH * OW); let oy = i32(p / OW); let ox = i32(p % OW);
  let iy = oy * SH - param_i(17u) + ky * DH; let ix = ox * SW - param_i(18u) + kx * DW;
  if (iy < 0 || ix < 0 || iy >= i32(H) || ix >= i32(W)) { return -1; }
  return i32(((n * H + u32(iy)) * W + u32(ix)) * C + c);
}
${patch("x_patch", "x_tap", "in0")}`;

function convHead(variant: Variant): HeadCompiler {
  return (key: KernelKey<any>, backend, epilogue: Epilogue) => {
    const attrs = key.attrs as ConvAttrs;
    const out = key.outputs[0]!.shape!;
    const [first, second] = key.inputs.map((v) => v.shape!);
    let g: Geometry;
    let m: number;
    let n: number;
    let k: number;
    if (variant === "forward") {
      const filter = second!;
      g = geometry(first!, out, filter[0]!, filter[1]!, attrs);
      m = g.batch * g.outHeight * g.outWidth;
      k = filter[0]! * filter[1]! * filter[2]!;
      n = filter[3]!;
    } else if (variant === "input") {
      const filter = first!;
      g = geometry(out, second!, filter[0]!, filter[1]!, attrs);
      m = g.batch * g.inHeight * g.inWidth;
      k = filter[0]! * filter[1]! * filter[3]!;
      n = filter[2]!;
    } else {
      g = geometry(first!, second!, out[0]!, out[1]!, attrs);
      m = out[0]! * out[1]! * out[2]!;
      k = g.batch * g.outHeight * g.outWidth;
      n = out[3]!;
    }
    const tile = chooseTile(m, n, backend.limits.maxComputeWorkgroupStorageSize);
    const split = chooseSplit(m, n, 1, k, tile);
    let loadA: string;
    let loadB: string;
    let inputs: ElementType[];
    if (variant === "forward") {
      // A: patch element (pixel gm, tap gk = (ky, kx, c)); B: the filter, vec4 along outC when it allows.
      const vecB = n % 4 === 0 && k > 0;
      inputs = ["f32", vecB ? "vec4<f32>" : "f32"];
      loadA = gatherLoadA(tile, "0.0", "conv_patch(gm, gk)");
      loadB = denseLoadB(tile, false, vecB, "0.0", "vec4<f32>");
    } else if (variant === "input") {
      inputs = ["f32", "f32"];
      loadA = gatherLoadA(tile, "0.0", "dy_patch(gm, gk)");
      // The filter [fh, fw, inC, outC] read as [(ky, kx, oc), c]: B(gk, gn) = filter[((gk / OC) * N + gn) * OC + gk % OC].
      loadB = gatherLoadB(tile, "0.0", "in0[((gk / param_u(19u)) * N + gn) * param_u(19u) + gk % param_u(19u)]");
    } else {
      const vecB = n % 4 === 0 && k > 0;
      inputs = ["f32", vecB ? "vec4<f32>" : "f32"];
      loadA = gatherLoadA(tile, "0.0", "x_patch(gm, gk)");
      loadB = denseLoadB(tile, false, vecB, "0.0", "vec4<f32>");
    }
    const helpers = variant === "forward" ? CONV_TAP : variant === "input" ? DY_TAP : X_TAP;
    // Where A(gm, gk) comes from (a flat index, or -1 for a tap over padding or off the
    // stride grid, which contributes nothing) and B(gk, gn).
    const tapA = variant === "forward" ? "conv_tap(gm, gk)" : variant === "input" ? "dy_tap(gm, gk)" : "x_tap(gm, gk)";
    const sourceA = variant === "input" ? "in1" : "in0";
    const indexB = variant === "input" ? "((gk / param_u(19u)) * N + gn) * param_u(19u) + gk % param_u(19u)" : "gk * N + gn";
    const exact = (vectorB: boolean): ExactTerms => ({
      statements: `let tap = ${tapA};
if (tap < 0) { continue; }
let ea = ${sourceA}[u32(tap)];
let eb = ${variant === "input" ? `in0[${indexB}]` : scalarAt("in1", vectorB, indexB)};`,
    });
    const vecB = inputs[1] === "vec4<f32>";
    const extraParams = variant === "input" ? [first![3]!] : [];
    const params = Uint32Array.from([...convParams(m, n, k, split, g), ...extraParams]);
    const gemm = (e: Epilogue) =>
      gemmProgram({
        label: `conv2d_${variant}_${tile.bm}`,
        type: "f32",
        tile,
        inputs,
        params: 5 + GEOMETRY_PARAMS + extraParams.length,
        prologue: PROLOGUE,
        loadA,
        loadB,
        epilogue: { ...e, declarations: `${helpers}\n${e.declarations}` },
        exact: exact(vecB),
      });
    const grid = [Math.ceil(n / tile.bn), Math.ceil(m / tile.bm), split.splits] as const;
    if (m === 0 || n === 0) return planned({ dispatches: [] });
    if (m * n * k < TILED_FROM) {
      const elementA = variant === "forward" ? "conv_patch(gm, gk)" : variant === "input" ? "dy_patch(gm, gk)" : "x_patch(gm, gk)";
      const elementB = variant === "input" ? `in0[${indexB}]` : `in1[${indexB}]`;
      const program = directGemmProgram({
        label: `conv2d_${variant}`,
        type: "f32",
        inputs: ["f32", "f32"],
        params: params.length + 1,
        prologue: "let M = param_u(0u);\nlet N = param_u(1u);\nlet K = param_u(2u);\nlet aOff = 0u;\nlet bOff = 0u;",
        elementA,
        elementB,
        epilogue,
        declarations: helpers,
        exact: exact(false),
      });
      return planned({
        dispatches: [
          {
            program,
            inputs: [input(0), input(1), ...epilogue.inputs.map((_, e) => input(2 + e))],
            outputs: epilogue.outputs.map((_, j) => output(j)),
            params: Uint32Array.from([...params, directThreads(1, m, n)]),
            grid: directGrid(directThreads(1, m, n)),
          },
        ],
      });
    }
    return planned(gemmPlan({ gemm, params, grid, total: m * n, split, heads: 2, dtype: "float32", epilogue }));
  };
}

export const conv2dHead = convHead("forward");

export const convCompilers: [string, KernelCompiler][] = [
  ["Conv2D", (key, backend) => conv2dHead(key, backend, plainStore("float32"))],
  ["Conv2DBackpropInput", (key, backend) => convHead("input")(key, backend, plainStore("float32"))],
  ["Conv2DBackpropFilter", (key, backend) => convHead("filter")(key, backend, plainStore("float32"))],
];
