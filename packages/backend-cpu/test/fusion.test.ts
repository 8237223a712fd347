import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { cpu } from "../src/index.js";

if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());

/** The clusters the cpu backend is offered (and compiles) while `fn` is traced and run once. */
function clustersOf(fn: (...xs: tf.Tensor[]) => tf.Tensor, inputs: readonly tf.Tensor[]): { cluster: tf.FusedCluster; compiled: boolean }[] {
  const backend = tf.backend();
  const original = backend.compileFused!.bind(backend);
  const seen: { cluster: tf.FusedCluster; compiled: boolean }[] = [];
  backend.compileFused = (cluster) => {
    const run = original(cluster);
    seen.push({ cluster, compiled: run !== undefined });
    return run;
  };
  try {
    const f = tf.function(fn, { autograph: false });
    tf.dispose(f(...inputs) as tf.Tensor);
    for (const cf of f.concreteFunctions()) cf.dispose();
  } finally {
    backend.compileFused = original;
  }
  return seen;
}

describe("the cpu backend fuses broadcast clusters and epilogues (DESIGN 6)", () => {
  it("declares what it can fuse", () => {
    expect(tf.backend().caps.fusion).toEqual({ elementwise: true, broadcast: true, epilogues: ["MatMul", "BatchMatMulV2", "Conv2D", "DepthwiseConv2dNative"] });
  });

  it("matMul + bias + relu becomes one step: the MatMul heads a broadcast epilogue", () => {
    const [x, w, b] = [tf.ones([4, 3]), tf.ones([3, 5]), tf.ones([5])];
    const seen = clustersOf((a, ww, bb) => tf.relu(tf.add(tf.matMul(a, ww), bb)), [x, w, b]);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.compiled).toBe(true);
    expect(seen[0]!.cluster.head?.op.name).toBe("MatMul");
    expect(seen[0]!.cluster.ops.map((o) => o.op.name)).toEqual(["AddV2", "Relu"]);
    expect(seen[0]!.cluster.inputs.map((i) => i.shape)).toEqual([[4, 3], [3, 5], [5]]);
    tf.dispose([x, w, b]);
  });

  it("a bias add and relu after conv2d fuse with it; a product used elsewhere heads nothing", () => {
    const [x, f, b] = [tf.ones([1, 4, 4, 2]), tf.ones([3, 3, 2, 3]), tf.ones([3])];
    const conv = clustersOf((a, ff, bb) => tf.relu(tf.add(tf.conv2d(a, ff, 1, "same"), bb)), [x, f, b]);
    expect(conv.map((s) => s.cluster.head?.op.name)).toEqual(["Conv2D"]);
    const [a, w] = [tf.ones([2, 2]), tf.ones([2, 2])];
    const reused = clustersOf((aa, ww) => {
      const p = tf.matMul(aa, ww);
      return tf.add(tf.relu(p), p.sum());
    }, [a, w]);
    expect(reused.every((s) => s.cluster.head === undefined)).toBe(true);
    tf.dispose([x, f, b, a, w]);
  });
});
