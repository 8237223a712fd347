import { describe, expect, it } from "vitest";
import { flat, randomValues, tf } from "../context.js";

/** Runs `fn` eagerly and as a tf.function on the same inputs; returns both results as flat arrays. */
async function eagerAndTraced(fn: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): Promise<{ eager: number[]; traced: number[] }> {
  const eager = (await flat(() => fn(...inputs))).data;
  const f = tf.function(fn);
  const traced = (await flat(() => f(...inputs) as tf.Tensor)).data;
  // A second call runs the cached plan again, reusing its slot array and pool.
  const again = (await flat(() => f(...inputs) as tf.Tensor)).data;
  expect(again).toEqual(traced);
  // The plans' constants live as long as the function.
  for (const cf of f.concreteFunctions()) cf.dispose();
  return { eager, traced };
}

/**
 * Plans write kernel outputs into dead intermediates' buffers. Those buffers
 * hold old values, so a kernel that reuses one must overwrite every element: these cases
 * make a dead buffer of the right size available to each op and compare with eager
 * execution bit for bit.
 */
export function tracedSuite(): void {
  describe("traced execution with reused output buffers", () => {
    it("matMul chains (vector, tiny, and blocked sizes) equal eager products exactly", async () => {
      for (const [m, k] of [
        [1, 16],
        [3, 5],
        [8, 8],
        [33, 40],
      ] as const) {
        const x = tf.tensor(randomValues(m * k, 1), [m, k]);
        const w = tf.tensor(randomValues(k * k, 2), [k, k]);
        // m1 dies after m2 is made, so m3 is written into m1's buffer; m4 into m2's.
        const chain = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(tf.matMul(tf.matMul(tf.matMul(a, b), b), b), b);
        const { eager, traced } = await eagerAndTraced(chain, [x, w]);
        expect(traced).toEqual(eager);
        tf.dispose([x, w]);
      }
    });

    it("elementwise chains, fused or alone, equal eager results exactly", async () => {
      const x = tf.tensor(randomValues(24, 3), [4, 6]);
      const y = tf.tensor(randomValues(6, 4), [6]);
      // Broadcast ops run unfused; same-shape runs fuse; each output can land in a dead buffer.
      const chain = (a: tf.Tensor, b: tf.Tensor) => tf.tanh(tf.add(tf.exp(tf.neg(tf.mul(a, b))), tf.sub(a, b)).mul(a));
      const { eager, traced } = await eagerAndTraced(chain, [x, y]);
      expect(traced).toEqual(eager);
      tf.dispose([x, y]);
    });

    it("a 200-iteration recurrent While loop equals the same loop run eagerly", async () => {
      const w = tf.tensor(randomValues(64, 5).map((v) => v * 0.3), [8, 8]);
      const b = tf.tensor(randomValues(8, 6), [1, 8]);
      const h0 = tf.zeros([1, 8]);
      const loop = (h: tf.Tensor) =>
        tf.whileLoop((i) => tf.less(i, 200), (i, s) => [i!.add(1), tf.tanh(tf.matMul(s!, w).add(b))], [tf.scalar(0, "int32"), h])[1]!;
      const { eager, traced } = await eagerAndTraced(loop, [h0]);
      expect(traced).toEqual(eager);
      tf.dispose([w, b, h0]);
    });
  });
}
