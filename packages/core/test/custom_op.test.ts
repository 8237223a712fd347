import * as tf from "@kiln/core";
import type { CpuBackend } from "@kiln/backend-cpu";
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { useCpu } from "./setup.js";

useCpu();

let kernelRuns = 0;

// The worked example from packages/core/README.md ("Writing a custom op"). The test at the
// bottom checks the README shows exactly this code, so the two cannot drift apart.
// The example prints its result: captured here (and checked below) rather than left in the test output.
const logged: string[] = [];
const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
// #region custom-op
// 1. Declare the op once: TensorFlow-style raw name, the public name errors use, and
//    shape/dtype inference. `infer` is the one place bad input is rejected, for eager
//    and traced calls alike, so it must accept unknown (`null`) dimensions.
type PairwiseDistanceAttrs = { squared: boolean };

const PairwiseDistance = tf.defineOp<PairwiseDistanceAttrs>({
  name: "PairwiseDistance",
  api: "pairwiseDistance",
  family: "opaque",
  inputs: ["points"],
  infer: ([points]) => {
    if (points!.dtype !== "float32") {
      throw new tf.DTypeError(`pairwiseDistance: points must be float32, received ${points!.dtype}`);
    }
    if (points!.shape.length !== 2) {
      throw new tf.ShapeError(`pairwiseDistance: points must have shape [n, d], received rank ${points!.shape.length}`);
    }
    const n = points!.shape[0]!; // null while tracing with an unknown n: the output is [null, null]
    return [{ shape: [n, n], dtype: "float32" }];
  },
  // Required: a gradient rule written with public ops, or "none" (see GradientTape).
  grad: "none",
});

// 2. A kernel per backend. Core has already validated the inputs and computed the output
//    shape; the kernel reads its inputs (never mutating them) and writes a fresh buffer.
tf.registerKernel<PairwiseDistanceAttrs>({
  op: PairwiseDistance,
  backend: "cpu",
  run: ({ inputs: [points], attrs, outputs: [out], backend }) => {
    kernelRuns++; // (not in the README: lets the test see when the kernel ran)
    const x = (backend as CpuBackend).values(points!.dataId);
    const [n, d] = points!.shape as [number, number];
    const result = new Float32Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let k = 0; k < d; k++) {
          const diff = x[i * d + k]! - x[j * d + k]!;
          sum += diff * diff;
        }
        result[i * n + j] = attrs.squared ? sum : Math.sqrt(sum);
      }
    }
    return [backend.write(result, out!.shape, out!.dtype)];
  },
});

// 3. The public function converts its arguments and binds the op: eagerly this runs the
//    kernel on the active backend; inside tf.function it records a graph node.
function pairwiseDistance(points: tf.TensorLike, squared = false): tf.Tensor {
  return tf.bind1(PairwiseDistance, [tf.constant(points)], { squared });
}

const d = pairwiseDistance([[0, 0], [3, 4]]);
console.log(String(d));
// tf.Tensor(
// [[0. 5.]
//  [5. 0.]], shape=(2, 2), dtype=float32)
// #endregion custom-op
log.mockRestore();

describe("custom ops: defineOp + registerKernel + bind1", () => {
  it("runs the kernel and prints the documented result", () => {
    expect(logged).toEqual(["tf.Tensor(\n[[0. 5.]\n [5. 0.]], shape=(2, 2), dtype=float32)"]);
    expect(d.arraySync()).toEqual([[0, 5], [5, 0]]);
    expect(String(d)).toBe("tf.Tensor(\n[[0. 5.]\n [5. 0.]], shape=(2, 2), dtype=float32)");
  });

  it("passes attributes to the kernel and accepts tensors as well as JS arrays", () => {
    const result = tf.tidy(() => pairwiseDistance(tf.tensor([[1, 1], [1, 2], [4, 5]]), true).arraySync());
    expect(result).toEqual([[0, 1, 25], [1, 0, 18], [25, 18, 0]]);
  });

  it("works for empty inputs", () => {
    const result = tf.tidy(() => {
      const r = pairwiseDistance(tf.zeros([0, 3]));
      return { shape: r.shape, size: r.size };
    });
    expect(result).toEqual({ shape: [0, 0], size: 0 });
  });

  it("shape inference rejects bad input before the kernel runs, with typed errors", () => {
    const runs = kernelRuns;
    const before = tf.memory().numTensors;
    expect(() => tf.tidy(() => pairwiseDistance(tf.tensor([1, 2], undefined, "int32")))).toThrow(tf.DTypeError);
    expect(() => tf.tidy(() => pairwiseDistance([1, 2, 3]))).toThrow(tf.ShapeError);
    expect(() => tf.tidy(() => pairwiseDistance([1, 2, 3]))).toThrow(/pairwiseDistance: points must have shape \[n, d\], received rank 1/);
    expect(kernelRuns).toBe(runs);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("shape inference handles unknown dimensions, as traced functions need", () => {
    expect(PairwiseDistance.infer([{ shape: [null, 3], dtype: "float32" }], { squared: false })).toEqual([{ shape: [null, null], dtype: "float32" }]);
    expect(PairwiseDistance.infer([{ shape: [5, null], dtype: "float32" }], { squared: false })).toEqual([{ shape: [5, 5], dtype: "float32" }]);
  });

  it("the op is in the runtime's op table; names are unique and CamelCase", () => {
    expect(tf.getRuntime().ops.get("PairwiseDistance")).toBe(PairwiseDistance);
    const duplicate = { ...PairwiseDistance };
    expect(() => tf.defineOp(duplicate)).toThrow(tf.ArgumentError);
    expect(() => tf.defineOp(duplicate)).toThrow(/an op named PairwiseDistance is already declared/);
    expect(() => tf.defineOp({ ...duplicate, name: "pairwise_distance" })).toThrow(/must be CamelCase like TensorFlow's raw op names/);
  });

  it("an op without a kernel on any backend is a BackendError naming it", () => {
    const Orphan = tf.defineOp<{}>({ name: "OrphanOp", api: "orphan", family: "opaque", inputs: [], infer: () => [{ shape: [], dtype: "float32" }], grad: "none" });
    expect(() => tf.bind1(Orphan, [])).toThrow(tf.BackendError);
    expect(() => tf.bind1(Orphan, [])).toThrow(/orphan: no kernel for op OrphanOp on backend 'cpu' or any other backend; register one with tf\.registerKernel/);
  });

  it("packages/core/README.md shows exactly this example", () => {
    const region = (text: string) => {
      const start = text.indexOf("// #region custom-op");
      const end = text.indexOf("// #endregion custom-op");
      return text
        .slice(start, end)
        .split("\n")
        .slice(1)
        .filter((line) => !line.includes("(not in the README"))
        .join("\n")
        .trim();
    };
    const test = readFileSync(new URL(import.meta.url), "utf8");
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const example = region(test);
    expect(example.length).toBeGreaterThan(500);
    expect(readme).toContain(example);
  });
});
