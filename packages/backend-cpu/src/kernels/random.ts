import {
  type KernelRegistration,
  type RandomNormalAttrs,
  type RandomUniformAttrs,
  type StatelessNormalAttrs,
  type StatelessUniformAttrs,
  allocate,
  prng,
  sizeOf,
} from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";

/**
 * Random kernels. The values come from core's shared Philox streams, so a seeded op gives
 * the same values here as on every other backend; `seed: null` draws a fresh seed per run.
 * The stateless ops read their key from the seed tensor (input 0).
 */
export const randomKernels: KernelRegistration<any, CpuBackend>[] = [
  {
    op: "RandomUniform",
    backend: "cpu",
    run: ({ attrs, outputs: [out], backend }) => {
      const { minval, maxval, seed } = attrs as RandomUniformAttrs;
      const values = allocate(out!.dtype, sizeOf(out!.shape));
      if (values instanceof Int32Array) prng.fillUniformInt(values, seed ?? prng.freshSeed(), minval, maxval);
      else prng.fillUniform(values as Float32Array, seed ?? prng.freshSeed(), minval, maxval);
      return [backend.write(values, out!.shape, out!.dtype)];
    },
  },
  {
    op: "RandomStandardNormal",
    backend: "cpu",
    run: ({ attrs, outputs: [out], backend }) => {
      const { mean, stdDev, seed } = attrs as RandomNormalAttrs;
      const values = new Float32Array(sizeOf(out!.shape));
      prng.fillNormal(values, seed ?? prng.freshSeed(), mean, stdDev);
      return [backend.write(values, out!.shape, out!.dtype)];
    },
  },
  {
    op: "TruncatedNormal",
    backend: "cpu",
    run: ({ attrs, outputs: [out], backend }) => {
      const { mean, stdDev, seed } = attrs as RandomNormalAttrs;
      const values = new Float32Array(sizeOf(out!.shape));
      prng.fillTruncatedNormal(values, seed ?? prng.freshSeed(), mean, stdDev);
      return [backend.write(values, out!.shape, out!.dtype)];
    },
  },
  {
    op: "StatelessRandomUniform",
    backend: "cpu",
    run: ({ inputs: [seed], attrs, outputs: [out], backend }) => {
      const { minval, maxval } = attrs as StatelessUniformAttrs;
      const [k0, k1] = prng.statelessKey(backend.values(seed!.dataId));
      const values = allocate(out!.dtype, sizeOf(out!.shape));
      if (values instanceof Int32Array) prng.fillStatelessUniformInt(values, k0, k1, minval, maxval);
      else prng.fillStatelessUniform(values as Float32Array, k0, k1, minval, maxval);
      return [backend.write(values, out!.shape, out!.dtype)];
    },
  },
  ...([
    ["StatelessRandomNormal", false],
    ["StatelessTruncatedNormal", true],
  ] as const).map(
    ([op, truncated]): KernelRegistration<any, CpuBackend> => ({
      op,
      backend: "cpu",
      run: ({ inputs: [seed], attrs, outputs: [out], backend }) => {
        const { mean, stdDev } = attrs as StatelessNormalAttrs;
        const [k0, k1] = prng.statelessKey(backend.values(seed!.dataId));
        const values = new Float32Array(sizeOf(out!.shape));
        prng.fillStatelessNormal(values, k0, k1, mean, stdDev, truncated);
        return [backend.write(values, out!.shape, out!.dtype)];
      },
    }),
  ),
];
