import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { exactInFloat32 } from "../src/kernels/elementwise/exact_float32.js";
import { fusedLoopSource, splitSegments } from "../src/kernels/elementwise/fused_loop.js";
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

describe("the cpu backend fuses broadcast clusters and epilogues", () => {
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

/** Runs `fn` traced and eagerly; every output must match bit for bit (NaN payloads aside). */
function expectTracedMatchesEager(fn: (...xs: tf.Tensor[]) => tf.Tensor[], inputs: readonly tf.Tensor[]): void {
  const f = tf.function(fn, { autograph: false });
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
  for (const cf of f.concreteFunctions()) cf.dispose();
}

describe("fused loops with exp/log/tanh/erf ops run in blocks, each heavy op in its own loop", () => {
  const chain = (x: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Tensor[] => {
    const positive = tf.greater(x, 0); // a bool and an int32 value computed before the heavy ops...
    const tenths = tf.cast(tf.mul(x, 10), "int32");
    const t = tf.tanh(tf.sub(tf.exp(tf.add(x, b)), tf.sigmoid(x)));
    const picked = tf.add(tf.where(positive, t, tf.sub(t, c)), tf.cast(tenths, "float32")); // ...and used after them
    return [tf.log1p(tf.abs(picked)), tf.gelu(tf.mul(t, c)), t];
  };

  it("matches the ops run one by one, bit for bit, with bias rows, columns and several outputs", () => {
    const x = tf.randomUniform([3, 1500], -4, 4, "float32", 1);
    const [row, column] = [tf.randomUniform([1500], -1, 1, "float32", 2), tf.randomUniform([3, 1], -2, 2, "float32", 3)];
    const seen = clustersOf((a, bb, cc) => chain(a, bb, cc)[0]!, [x, row, column]);
    expect(seen.map((s) => s.compiled)).toEqual([true]);
    const shapes = seen[0]!.cluster.inputs.map((i) => i.shape);
    const source = fusedLoopSource(seen[0]!.cluster, shapes)!;
    for (const scratch of ["Float32Array(1024)", "Uint8Array(1024)", "Int32Array(1024)"]) expect(source).toContain(scratch);
    expectTracedMatchesEager(chain, [x, row, column]);
    // Short inner runs stay one loop.
    const narrow = tf.randomUniform([500, 3], -4, 4, "float32", 4);
    const [narrowRow, narrowColumn] = [tf.randomUniform([3], -1, 1, "float32", 5), tf.randomUniform([500, 1], -2, 2, "float32", 6)];
    expectTracedMatchesEager(chain, [narrow, narrowRow, narrowColumn]);
    // A MatMul head whose epilogue runs in place over its output, in blocks.
    const [a, w, bias] = [
      tf.randomUniform([8, 20], -1, 1, "float32", 7),
      tf.randomUniform([20, 100], -1, 1, "float32", 8),
      tf.randomUniform([100], -1, 1, "float32", 9),
    ];
    const epilogue = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.sigmoid(tf.tanh(tf.exp(tf.add(tf.matMul(p, q), r))));
    expect(clustersOf(epilogue, [a, w, bias]).map((s) => s.cluster.head?.op.name)).toEqual(["MatMul"]);
    expectTracedMatchesEager((p, q, r) => [epilogue(p!, q!, r!)], [a, w, bias]);
    tf.dispose([x, row, column, narrow, narrowRow, narrowColumn, a, w, bias]);
  });

  it("gives each heavy op its own loop, light ops between them one loop, and skips rounding where values are float32 already", () => {
    const light = { lines: [], dtype: "float32" as const, inputs: [], ops: [], heavy: false };
    const heavy = { ...light, heavy: true };
    expect(splitSegments([light, heavy, light, heavy, heavy, light])).toEqual([[0], [1], [2], [3], [4], [5]]);
    expect(splitSegments([light, light, heavy, light, light])).toEqual([[0, 1], [2], [3, 4]]);
    expect(splitSegments([heavy, light])).toEqual([[0], [1]]);
    expect(splitSegments([light, light])).toEqual([[0, 1]]);
    expect(splitSegments([heavy])).toEqual([[0]]);
    const relu = tf.scalarKernelOf(tf.coreOpDefs().find((op) => op.name === "Relu")!, ["float32"], "float32", {})!;
    const add = tf.scalarKernelOf(tf.coreOpDefs().find((op) => op.name === "AddV2")!, ["float32", "float32"], "float32", {})!;
    expect([exactInFloat32(relu.body), exactInFloat32(add.body)]).toEqual([true, false]);
  });
});
