import {
  allocate,
  type DataArray,
  type EyeAttrs,
  type FillAttrs,
  type KernelKey,
  type LinSpaceAttrs,
  prng,
  type RandomNormalAttrs,
  type RandomUniformAttrs,
  type RangeAttrs,
  sizeOf,
} from "@kiln/core";
import { buildProgram, WORKGROUP } from "../wgsl/shader.js";
import { grid1d, type GpuKernel, type KernelCompiler, output, planned } from "./kernel.js";
import { fillBits } from "./movement/view.js";

/**
 * Kernels of ops computed from attributes (and from their input's shape only, for the
 * `*Like` ops). Fills and identity matrices are written on the device. Range and LinSpace
 * are computed on the host and uploaded: they are small, and the host computes them in
 * double precision exactly as the cpu oracle does. Random ops draw from core's shared
 * Philox streams on the host (`tf.prng`), so a seed gives the same values on every backend;
 * their transforms (Box-Muller, truncation) use double-precision logarithms and cosines
 * that a float32 shader could not reproduce bit for bit.
 */

const fillProgram = buildProgram({
  label: "fill",
  inputs: [],
  outputs: ["u32"],
  params: 2,
  workgroupSize: WORKGROUP,
  body: "if (index < param_u(0u)) { out0[index] = param_u(1u); }",
});

/** Every element set to `value` (stored as `dtype`). */
function fill(key: KernelKey<any>, value: number): GpuKernel {
  const out = key.outputs[0]!;
  const size = sizeOf(out.shape!);
  return planned({
    dispatches: [
      {
        program: fillProgram,
        inputs: [],
        outputs: [output(0)],
        params: Uint32Array.of(size, fillBits(value, out.dtype!)),
        grid: grid1d(size),
      },
    ],
  });
}

const eyeProgram = buildProgram({
  label: "eye",
  inputs: [],
  outputs: ["u32"],
  params: 4,
  workgroupSize: WORKGROUP,
  body: `if (index >= param_u(0u)) { return; }
let within = index % (param_u(1u) * param_u(2u));
out0[index] = select(0u, param_u(3u), within / param_u(2u) == within % param_u(2u));`,
});

/** Values computed on the host and uploaded (`values(size)` fills a fresh array of the output's dtype). */
function hostValues(values: (out: DataArray) => void): GpuKernel {
  return ({ outputs: [out], backend }) => {
    const array = allocate(out!.dtype, sizeOf(out!.shape));
    values(array);
    return [backend.write(array, out!.shape, out!.dtype)];
  };
}

export const creationCompilers: [string, KernelCompiler][] = [
  ["Fill", (key) => fill(key, (key.attrs as FillAttrs).value)],
  ["ZerosLike", (key) => fill(key, 0)],
  ["OnesLike", (key) => fill(key, 1)],
  [
    "Eye",
    (key) => {
      const { numRows, numColumns } = key.attrs as EyeAttrs;
      const out = key.outputs[0]!;
      const size = sizeOf(out.shape!);
      return planned({
        dispatches: [
          {
            program: eyeProgram,
            inputs: [],
            outputs: [output(0)],
            params: Uint32Array.of(size, Math.max(numRows, 1), Math.max(numColumns, 1), fillBits(1, out.dtype!)),
            grid: grid1d(size),
          },
        ],
      });
    },
  ],
  [
    "Range",
    (key) => {
      const { start, step } = key.attrs as RangeAttrs;
      // start + i * step (not a running sum), in double precision, like the cpu oracle.
      return hostValues((out) => {
        for (let i = 0; i < out.length; i++) out[i] = start + i * step;
      });
    },
  ],
  [
    "LinSpace",
    (key) => {
      const { start, stop, num } = key.attrs as LinSpaceAttrs;
      return hostValues((out) => {
        const step = num > 1 ? (stop - start) / (num - 1) : 0;
        for (let i = 0; i < num - 1; i++) out[i] = start + i * step;
        if (num > 0) out[num - 1] = num > 1 ? stop : start;
      });
    },
  ],
  [
    "RandomUniform",
    (key) => {
      const { minval, maxval, seed } = key.attrs as RandomUniformAttrs;
      return hostValues((out) => {
        if (out instanceof Int32Array) prng.fillUniformInt(out, seed ?? prng.freshSeed(), minval, maxval);
        else prng.fillUniform(out as Float32Array, seed ?? prng.freshSeed(), minval, maxval);
      });
    },
  ],
  [
    "RandomStandardNormal",
    (key) => {
      const { mean, stdDev, seed } = key.attrs as RandomNormalAttrs;
      return hostValues((out) => prng.fillNormal(out as Float32Array, seed ?? prng.freshSeed(), mean, stdDev));
    },
  ],
  [
    "TruncatedNormal",
    (key) => {
      const { mean, stdDev, seed } = key.attrs as RandomNormalAttrs;
      return hostValues((out) => prng.fillTruncatedNormal(out as Float32Array, seed ?? prng.freshSeed(), mean, stdDev));
    },
  ],
  // Shape and Size read only their input's shape, which the key holds.
  ["Shape", (key) => hostValues((out) => out.set(key.inputs[0]!.shape!))],
  ["Size", (key) => hostValues((out) => (out[0] = sizeOf(key.inputs[0]!.shape!)))],
];
