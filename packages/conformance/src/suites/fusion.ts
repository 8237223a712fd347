import { describe, expect, it } from "vitest";
import { randomValues, tf } from "../context.js";

/** A function's result eagerly and traced (twice: the second call reuses the plan's buffers), read with await. */
async function eagerAndTraced(fn: (...xs: tf.Tensor[]) => tf.Tensor, inputs: readonly tf.Tensor[]): Promise<{ eager: number[]; traced: number[] }> {
  const read = async (t: tf.Tensor) => {
    const values = Array.from(await t.data());
    t.dispose();
    return values;
  };
  const eager = await read(tf.tidy(() => fn(...inputs)));
  const f = tf.function(fn, { autograph: false });
  const traced = await read(f(...inputs) as tf.Tensor);
  expect(await read(f(...inputs) as tf.Tensor)).toEqual(traced);
  for (const cf of f.concreteFunctions()) cf.dispose();
  return { eager, traced };
}

/**
 * Wider fusion: elementwise clusters with broadcast inputs (a bias row, a
 * column) and elementwise epilogues of contractions (matMul + bias + relu, conv + bias +
 * relu). Whatever a backend fuses, the traced result must equal the eager one bit for bit.
 */
export function fusionSuite(): void {
  describe("traced fusion with broadcast inputs and epilogues equals eager execution exactly", () => {
    it("a bias row and a column broadcast inside an elementwise chain", async () => {
      const x = tf.tensor(randomValues(6 * 5, 11), [6, 5]);
      const bias = tf.tensor(randomValues(5, 12), [5]);
      const column = tf.tensor(randomValues(6, 13), [6, 1]);
      const chain = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.relu(tf.add(a, b)).mul(c).sub(tf.exp(tf.neg(c))).tanh();
      const { eager, traced } = await eagerAndTraced(chain, [x, bias, column]);
      expect(traced).toEqual(eager);
      tf.dispose([x, bias, column]);
    });

    it("matMul + bias + relu (an epilogue of the contraction)", async () => {
      for (const [m, k, n] of [[1, 8, 4], [7, 9, 5], [33, 40, 17]] as const) {
        const x = tf.tensor(randomValues(m * k, 14), [m, k]);
        const w = tf.tensor(randomValues(k * n, 15), [k, n]);
        const b = tf.tensor(randomValues(n, 16), [n]);
        const dense = (a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.relu(tf.add(tf.matMul(a, ww), bb));
        const { eager, traced } = await eagerAndTraced(dense, [x, w, b]);
        expect(traced).toEqual(eager);
        tf.dispose([x, w, b]);
      }
    });

    it("conv2d + bias + relu, and a matMul whose output is also returned (no epilogue then)", async () => {
      const x = tf.tensor(randomValues(2 * 6 * 6 * 3, 17), [2, 6, 6, 3]);
      const f = tf.tensor(randomValues(3 * 3 * 3 * 4, 18), [3, 3, 3, 4]);
      const b = tf.tensor(randomValues(4, 19), [4]);
      const conv = (a: tf.Tensor, ff: tf.Tensor, bb: tf.Tensor) => tf.relu(tf.add(tf.conv2d(a, ff, 1, "same"), bb));
      const first = await eagerAndTraced(conv, [x, f, b]);
      expect(first.traced).toEqual(first.eager);
      const w = tf.tensor(randomValues(12, 20), [3, 4]);
      const both = (a: tf.Tensor, ww: tf.Tensor) => {
        const product = tf.matMul(a, ww);
        return tf.concat([product, tf.sigmoid(product)], 0);
      };
      const a = tf.tensor(randomValues(6, 21), [2, 3]);
      const second = await eagerAndTraced(both, [a, w]);
      expect(second.traced).toEqual(second.eager);
      tf.dispose([x, f, b, w, a]);
    });
  });
}
