import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { cpu } from "../../src/index.js";

// Runs in the "csp" project (Node with --disallow-code-generation-from-strings): cpu() uses
// prebuilt kernels, and fused clusters run as block loops (block_loop.ts compileFusedBlocks)
// instead of generated ones. Each must match the same ops run one by one, bit for bit.
if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());

/** The clusters the backend is offered while `fn` is traced and run once, and whether it compiled each. */
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

/** Runs `fn` traced (fused) and eagerly (one op at a time); every output must match bit for bit (NaN payloads aside). */
function expectTracedMatchesEager(fn: (...xs: tf.Tensor[]) => tf.Tensor[], inputs: readonly tf.Tensor[]): void {
  const f = tf.function(fn, { autograph: false });
  for (let call = 0; call < 2; call++) {
    const traced = f(...inputs) as tf.Tensor[];
    const eager = tf.tidy(() => fn(...inputs));
    for (const [k, t] of traced.entries()) {
      const [a, b] = [t.dataSync(), eager[k]!.dataSync()];
      expect(a.length).toBe(b.length);
      for (let i = 0; i < a.length; i++) {
        if (!Object.is(a[i], b[i]) && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) expect([k, i, a[i]]).toEqual([k, i, b[i]]);
      }
    }
    tf.dispose([...traced, ...eager]);
  }
  for (const cf of f.concreteFunctions()) cf.dispose();
}

/** bool and int32 values made before exp/tanh/sigmoid and used after them, three outputs. */
const chain = (x: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Tensor[] => {
  const positive = tf.greater(x, 0);
  const tenths = tf.cast(tf.mul(x, 10), "int32");
  const t = tf.tanh(tf.sub(tf.exp(tf.add(x, b)), tf.sigmoid(x)));
  const picked = tf.add(tf.where(positive, t, tf.sub(t, c)), tf.cast(tenths, "float32"));
  return [tf.log1p(tf.abs(picked)), tf.gelu(tf.mul(t, c)), t];
};

describe("fused clusters without code generation (CSP mode)", () => {
  it("the backend still declares fusion, with prebuilt kernels", () => {
    expect(tf.backend().caps.details?.kernels).toBe("prebuilt");
    expect(tf.backend().caps.fusion).toEqual({ elementwise: true, broadcast: true, epilogues: ["MatMul", "BatchMatMulV2", "Conv2D", "DepthwiseConv2dNative"] });
  });

  it("a chain with bool, int32 and float32 values, bias rows and columns and several outputs is one cluster matching the ops one by one", () => {
    const x = tf.randomUniform([3, 700], -4, 4, "float32", 1);
    const [row, column] = [tf.randomUniform([700], -1, 1, "float32", 2), tf.randomUniform([3, 1], -2, 2, "float32", 3)];
    expect(clustersOf((a, bb, cc) => chain(a, bb, cc)[0]!, [x, row, column]).map((s) => s.compiled)).toEqual([true]);
    expectTracedMatchesEager(chain, [x, row, column]);
    const narrow = tf.randomUniform([300, 3], -4, 4, "float32", 4);
    const [narrowRow, narrowColumn] = [tf.randomUniform([3], -1, 1, "float32", 5), tf.randomUniform([300, 1], -2, 2, "float32", 6)];
    expectTracedMatchesEager(chain, [narrow, narrowRow, narrowColumn]);
    tf.dispose([x, row, column, narrow, narrowRow, narrowColumn]);
  });

  it("MatMul and Conv2D heads with broadcast epilogues, an int32 cluster and a scalar cluster match the ops one by one", () => {
    const [a, w, bias] = [
      tf.randomUniform([8, 20], -1, 1, "float32", 7),
      tf.randomUniform([20, 100], -1, 1, "float32", 8),
      tf.randomUniform([100], -1, 1, "float32", 9),
    ];
    const dense = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.sigmoid(tf.relu(tf.add(tf.matMul(p, q), r)));
    expect(clustersOf(dense, [a, w, bias]).map((s) => [s.cluster.head?.op.name, s.compiled])).toEqual([["MatMul", true]]);
    expectTracedMatchesEager((p, q, r) => [dense(p!, q!, r!)], [a, w, bias]);
    const [image, filter, channelBias] = [
      tf.randomUniform([1, 6, 6, 2], -1, 1, "float32", 10),
      tf.randomUniform([3, 3, 2, 4], -1, 1, "float32", 11),
      tf.randomUniform([4], -1, 1, "float32", 12),
    ];
    const conv = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.relu(tf.add(tf.conv2d(p, q, 1, "same"), r));
    expect(clustersOf(conv, [image, filter, channelBias]).map((s) => s.cluster.head?.op.name)).toEqual(["Conv2D"]);
    expectTracedMatchesEager((p, q, r) => [conv(p!, q!, r!)], [image, filter, channelBias]);
    const ints = tf.tensor([2147483647, -7, 5, 0, -2147483648, 9], [2, 3], "int32");
    const intCluster = (i: tf.Tensor, j: tf.Tensor) => [tf.floorDiv(tf.mul(tf.add(i, j), 3), tf.add(tf.abs(j), 1)), tf.mod(i, 4)];
    expectTracedMatchesEager(intCluster, [ints, tf.tensor([1, -2, 3], [3], "int32")]);
    const s = tf.scalar(0.3);
    expectTracedMatchesEager((p) => [tf.exp(tf.mul(tf.add(p, 1), 2)), tf.sqrt(tf.abs(p))], [s]);
    tf.dispose([a, w, bias, image, filter, channelBias, ints, s]);
  });
});
