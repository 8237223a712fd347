import * as tf from "@kiln/core";
import { expectClose, randomValues, tfjs } from "@kiln/conformance";
import { describe, expect, it } from "vitest";
import { gpu } from "./gpu.js";
import { disposeFunctions, gpuBackend, onCpu, readAll, useWebGPU } from "./helpers.js";

// The tiled GEMM (workgroup tiles, register tiles, vec4 loads, split-K) behind MatMul,
// BatchMatMulV2 and the convolutions runs for products of 2^18 multiply-adds and more;
// the conformance suite's sizes stay below that (one thread per output), so these cases
// exercise it against the cpu oracle. float32 sums differ from the oracle's by rounding
// only: within 1e-4 relative here (K up to 8192).
describe.runIf(gpu.available)("tiled GEMM kernels on webgpu", () => {
  useWebGPU();

  const tensor = (shape: number[], seed: number) =>
    tf.tensor(
      randomValues(
        shape.reduce((a, b) => a * b, 1),
        seed,
      ),
      shape,
    );

  async function matches(fn: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): Promise<void> {
    const [actual] = await readAll(() => fn(...inputs));
    const [expected] = await onCpu(() => fn(...inputs));
    expectClose(actual!, expected!, 1e-4, 1e-4);
    tf.dispose(inputs);
  }

  it("matMul with every transpose combination, with and without vec4 loads, and ragged edge tiles", async () => {
    const pipelines = gpuBackend().stats().pipelines;
    await matches((a, b) => tf.matMul(a, b), [tensor([70, 90], 1), tensor([90, 65], 2)]);
    await matches((a, b) => tf.matMul(a, b), [tensor([68, 96], 3), tensor([96, 64], 4)]);
    await matches((a, b) => tf.matMul(a, b, true, false), [tensor([96, 68], 5), tensor([96, 64], 6)]);
    await matches((a, b) => tf.matMul(a, b, false, true), [tensor([68, 96], 7), tensor([64, 96], 8)]);
    await matches((a, b) => tf.matMul(a, b, true, true), [tensor([90, 70], 9), tensor([65, 90], 10)]);
    // Each layout is a shader of its own.
    expect(gpuBackend().stats().pipelines - pipelines).toBe(5);
  });

  it("the direct kernel (4 x 4 register blocks, small products) gives the tiled kernel's bits: rows of one product computed both ways", async () => {
    // 70 x 90 x 65 runs tiled; its first 9 rows as a 9 x 90 x 65 product (under 2^18
    // multiply-adds, ragged 4 x 4 blocks) run direct. Each output sums k in the same order.
    const a = tensor([70, 90], 21);
    const b = tensor([90, 65], 22);
    const [tiled, direct] = await readAll(() => [tf.matMul(a, b), tf.matMul(tf.slice(a, [0, 0], [9, 90]), b)]);
    expect(direct).toEqual(tiled!.slice(0, 9 * 65));
    tf.dispose([a, b]);
  });

  it("batched products broadcast their batch dims", async () => {
    await matches((a, b) => tf.matMul(a, b), [tensor([2, 1, 40, 64], 11), tensor([3, 64, 48], 12)]);
  });

  it("a long K with few output tiles is split over workgroups and summed in slice order (split-K)", async () => {
    await matches((a, b) => tf.matMul(a, b), [tensor([4, 8192], 13), tensor([8192, 8], 14)]);
    const x = tensor([4, 8192], 15);
    const w = tensor([8192, 8], 16);
    const [first] = await readAll(() => tf.matMul(x, w));
    const [second] = await readAll(() => tf.matMul(x, w));
    expect(second).toEqual(first);
    tf.dispose([x, w]);
  });

  it("conv2d and both of its gradients as implicit GEMMs", async () => {
    const conv = (x: tf.Tensor, f: tf.Tensor) => tf.conv2d(x, f, 1, "same");
    await matches(conv, [tensor([2, 16, 16, 8], 17), tensor([3, 3, 8, 16], 18)]);
    const grads = (x: tf.Tensor, f: tf.Tensor) => {
      const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a, b, 2, "same"))))([x, f]);
      return tf.concat([dx!.reshape([-1]), df!.reshape([-1])], 0);
    };
    await matches(grads, [tensor([2, 16, 16, 8], 19), tensor([3, 3, 8, 16], 20)]);
  });

  it("conv2d and its filter gradient: taps over padding contribute nothing, so an infinite filter tap or dy value there gives no NaN", async () => {
    // The implicit GEMM stages padding as zeros; tfjs (and Kiln's depthwiseConv2d and
    // conv2dTranspose) skip those taps. (Kiln's cpu and wasm conv2d still multiply them: the
    // conformance suite cannot check this on every backend yet.) Direct and tiled sizes.
    for (const [h, c, outC] of [
      [6, 2, 3],
      [16, 8, 16],
    ] as const) {
      const xs = [1, h, h, c] as [number, number, number, number];
      const x = randomValues(h * h * c, 31 + h, 0.5, 1.5);
      const filter = randomValues(9 * c * outC, 32 + h, 0.5, 1.5);
      filter[0] = Number.POSITIVE_INFINITY; // tap (0, 0): over the padding for the top row and left column
      const fs = [3, 3, c, outC] as [number, number, number, number];
      const [conv] = await readAll(() => tf.conv2d(tf.tensor(x, xs), tf.tensor(filter, fs), 1, "same"));
      const expected = tfjs.tidy(() => Array.from(tfjs.conv2d(tfjs.tensor4d(x, xs), tfjs.tensor4d(filter, fs), 1, "same").dataSync()));
      expectClose(conv!, expected, 1e-4, 1e-4, "conv2d");
      // dfilter[ky, kx, ci, co] = sum of x[y + ky - 1, x + kx - 1, ci] * dy[y, x, co] over taps inside the image.
      const dy = randomValues(h * h * outC, 33 + h);
      dy[0] = Number.NEGATIVE_INFINITY; // output (0, 0): its taps with ky = 0 or kx = 0 lie over the padding
      const [dfilter] = await readAll(() => tf.conv2DBackpropFilter(tf.tensor(x, xs), tf.tensor(dy, [1, h, h, outC]), fs, 1, "same"));
      const reference: number[] = [];
      for (let ky = 0; ky < 3; ky++)
        for (let kx = 0; kx < 3; kx++)
          for (let ci = 0; ci < c; ci++)
            for (let co = 0; co < outC; co++) {
              let sum = 0;
              for (let y = 0; y < h; y++)
                for (let xx = 0; xx < h; xx++) {
                  const iy = y + ky - 1;
                  const ix = xx + kx - 1;
                  if (iy >= 0 && ix >= 0 && iy < h && ix < h) sum += x[(iy * h + ix) * c + ci]! * dy[(y * h + xx) * outC + co]!;
                }
              reference.push(Math.fround(sum));
            }
      expectClose(dfilter!, reference, 1e-4, 1e-4, "conv2DBackpropFilter");
    }
  });

  it("a traced dense layer (tiled matMul with a bias and relu epilogue) equals the eager ops bit for bit", async () => {
    const x = tensor([128, 64], 21);
    const w = tensor([64, 32], 22);
    const b = tensor([32], 23);
    const dense = (a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.relu(tf.add(tf.matMul(a, ww), bb));
    const f = tf.function(dense);
    const [traced] = await readAll(() => f(x, w, b) as tf.Tensor);
    const [eager] = await readAll(() => dense(x, w, b));
    expect(traced).toEqual(eager);
    tf.dispose([x, w, b]);
    disposeFunctions(f);
  });
});
