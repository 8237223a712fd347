/**
 * The benchmark's transformer block written with tfjs-core 4.22 ops (tfjs-layers exports no
 * multi-head attention layer), trained by `tf.train.adam(...).minimize`: the anchor for
 * Kiln's traced `fit` step of the same block. Same shapes and work as Kiln's: causal
 * self-attention with 2 heads of 32, residual and layer norm, a 4x feed-forward with exact
 * (erf) GELU, residual and layer norm, a dense head, mean squared error.
 *
 * ```ts
 * const block = tfjsTransformer(64);
 * block.step(x, y); // one Adam step on a batch
 * ```
 */
import * as tfc from "@tensorflow/tfjs-core";

const HEADS = 2;

/** A trainable tfjs transformer block of width `dim` with one `step(x, y)` per batch. */
export function tfjsTransformer(dim: number): { step: (x: tfc.Tensor3D, y: tfc.Tensor3D) => void; dispose: () => void } {
  const glorot = (rows: number, cols: number) =>
    tfc.variable(tfc.randomUniform([rows, cols], -Math.sqrt(6 / (rows + cols)), Math.sqrt(6 / (rows + cols))));
  const zeros = (n: number) => tfc.variable(tfc.zeros([n]));
  const ones = (n: number) => tfc.variable(tfc.ones([n]));
  const w = {
    q: glorot(dim, dim),
    bq: zeros(dim),
    k: glorot(dim, dim),
    bk: zeros(dim),
    v: glorot(dim, dim),
    bv: zeros(dim),
    o: glorot(dim, dim),
    bo: zeros(dim),
    g1: ones(dim),
    b1: zeros(dim),
    f1: glorot(dim, 4 * dim),
    bf1: zeros(4 * dim),
    f2: glorot(4 * dim, dim),
    bf2: zeros(dim),
    g2: ones(dim),
    b2: zeros(dim),
    h: glorot(dim, dim),
    bh: zeros(dim),
  };
  const optimizer = tfc.train.adam(1e-3);
  const headDim = dim / HEADS;

  const dense = (x: tfc.Tensor3D, kernel: tfc.Variable, bias: tfc.Variable) => {
    const [b, t, d] = x.shape;
    return tfc.add(tfc.matMul(tfc.reshape(x, [b * t, d]), kernel), bias).reshape([b, t, kernel.shape[1]!]) as tfc.Tensor3D;
  };
  const layerNorm = (x: tfc.Tensor3D, gamma: tfc.Variable, beta: tfc.Variable) => {
    const { mean, variance } = tfc.moments(x, -1, true);
    return tfc.add(tfc.mul(tfc.mul(tfc.sub(x, mean), tfc.rsqrt(tfc.add(variance, 1e-3))), gamma), beta) as tfc.Tensor3D;
  };
  const heads = (x: tfc.Tensor3D) => tfc.transpose(tfc.reshape(x, [x.shape[0], x.shape[1], HEADS, headDim]), [0, 2, 1, 3]) as tfc.Tensor4D;
  const gelu = (x: tfc.Tensor3D) => tfc.mul(tfc.mul(x, 0.5), tfc.add(tfc.erf(tfc.mul(x, Math.SQRT1_2)), 1)) as tfc.Tensor3D;

  const forward = (x: tfc.Tensor3D) => {
    const [b, t] = x.shape;
    const q = heads(dense(x, w.q, w.bq));
    const k = heads(dense(x, w.k, w.bk));
    const v = heads(dense(x, w.v, w.bv));
    const causal = tfc.linalg.bandPart(tfc.ones([t, t]), -1, 0);
    const scores = tfc.add(tfc.mul(tfc.matMul(q, k, false, true), 1 / Math.sqrt(headDim)), tfc.mul(tfc.sub(causal, 1), 1e9));
    const attended = tfc.reshape(tfc.transpose(tfc.matMul(tfc.softmax(scores), v), [0, 2, 1, 3]), [b, t, dim]) as tfc.Tensor3D;
    const h = layerNorm(tfc.add(x, dense(attended, w.o, w.bo)), w.g1, w.b1);
    const ff = dense(gelu(dense(h, w.f1, w.bf1)), w.f2, w.bf2);
    return dense(layerNorm(tfc.add(h, ff), w.g2, w.b2), w.h, w.bh);
  };

  return {
    step: (x, y) => {
      optimizer.minimize(() => tfc.losses.meanSquaredError(y, forward(x)) as tfc.Scalar, false);
    },
    dispose: () => {
      tfc.dispose(Object.values(w));
      optimizer.dispose();
    },
  };
}
