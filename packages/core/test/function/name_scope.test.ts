import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

describe("tf.executingEagerly and tf.nameScope", () => {
  it("executingEagerly is true eagerly and false while a function or branch is traced", () => {
    expect(tf.executingEagerly()).toBe(true);
    const seen: boolean[] = [];
    const f = tf.function(
      (x: tf.Tensor) => {
        seen.push(tf.executingEagerly());
        const branch = () => {
          seen.push(tf.executingEagerly());
          return x;
        };
        return tf.cond(tf.greater(x, 0), branch, () => x.neg());
      },
      { autograph: false },
    );
    tf.dispose(f(tf.scalar(1)) as tf.Tensor);
    expect(seen).toEqual([false, false]);
    tf.config.runFunctionsEagerly(true);
    try {
      tf.dispose(f(tf.scalar(1)) as tf.Tensor);
      expect(seen.at(-1)).toBe(true);
    } finally {
      tf.config.runFunctionsEagerly(false);
    }
  });

  it("names operations inside scopes after them, nested and uniquified like op names", () => {
    const f = tf.function(
      (x: tf.Tensor) => {
        const a = tf.nameScope("dense", () => tf.nameScope("inner", () => x.mul(2)).add(1));
        const b = tf.nameScope("dense", () => tf.pow(a, 2));
        return b;
      },
      { autograph: false },
    );
    const names = f.getConcreteFunction(new tf.TensorSpec([2])).graph.getOperations().map((op) => op.name);
    expect(names).toEqual(["x", "dense/inner/mul/y", "dense/inner/mul", "dense/add/y", "dense/add", "dense_1/pow/y", "dense_1/pow", "Identity"]);
  });

  it("eagerly runs the function and returns its result; bad names and arguments are ArgumentErrors", () => {
    const y = tf.nameScope("eager", () => tf.add(1, 2));
    expect(y.arraySync()).toBe(3);
    y.dispose();
    expect(() => tf.nameScope("_bad", () => 1)).toThrow(tf.ArgumentError);
    expect(() => tf.nameScope("ok", 3 as never)).toThrow(/expected a function/);
  });
});
