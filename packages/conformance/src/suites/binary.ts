import { describe, expect, it } from "vitest";
import { matchesTfjs, randomValues, tf, tfjs, values } from "../context.js";

/** Binary elementwise ops with broadcasting. */
export function binarySuite(): void {
  describe("binary elementwise", () => {
    it("add matches hand-computed values and tfjs, with broadcasting", () => {
      expect(values(() => tf.add(tf.tensor([1, 2]), tf.tensor([3, 4]))).value).toEqual([4, 6]);
      const a = randomValues(6, 1);
      const b = randomValues(3, 2);
      matchesTfjs(
        () => tf.add(tf.tensor(a, [2, 3]), tf.tensor(b, [3])),
        () => tfjs.add(tfjs.tensor(a, [2, 3]), tfjs.tensor(b, [3])),
      );
    });
  });
}
