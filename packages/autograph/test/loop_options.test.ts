import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { AutoGraphError, ConversionError, autograph, convert, setLoopOptions } from "../src/index.js";
import "../src/register.js";
import { convertText, useCpu } from "./helpers.js";

// SPEC G6: a loop variable that changes shape needs a shape invariant. In converted code it
// is given with `autograph.setLoopOptions(...)` as the first statement of the loop body (TF's
// tf.autograph.experimental.set_loop_options), which also takes maximumIterations. This file
// is converted by the bundler plugin (vitest.config.ts), as a Vite user's code would be.

useCpu();

const value = (t: unknown) => (t as tf.Tensor).arraySync();
const shapeOf = (t: unknown) => (t as tf.Tensor).shape;
const whileAttrs = (fn: tf.PolymorphicFunction, ...args: unknown[]) => {
  const op = fn
    .getConcreteFunction(...args)
    .graph.getOperations()
    .find((o) => /While$/.test(o.type));
  return op?.attrs as { maximumIterations: number | null; Tout: { shape: tf.Shape }[] } | undefined;
};

describe("SPEC G6: shape invariants from autograph.setLoopOptions", () => {
  it("a tensor grown with tf.concat along a null dim is one While op, right for every trip count", () => {
    const grow = tf.function((n: any) => {
      let rows: any = tf.zeros([1, 2]);
      let i: any = tf.scalar(0);
      while (i < n) {
        autograph.setLoopOptions({ shapeInvariants: [[rows, [null, 2]]] });
        rows = tf.concat([rows, (tf.ones([1, 2]) as any) * (i + 1)], 0);
        i += 1;
      }
      return rows;
    });
    expect(value(grow(tf.scalar(3)))).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(shapeOf(grow(tf.scalar(0)))).toEqual([1, 2]);
    expect(grow.tracingCount).toBe(1);
    expect(whileAttrs(grow, tf.scalar(3))?.Tout.map((t) => t.shape)).toContainEqual([null, 2]);
  });

  it("works in a for...of over a tensor, named by the imported setLoopOptions too", () => {
    const prefixes = tf.function((xs: any) => {
      let out: any = tf.zeros([0]);
      for (const x of xs) {
        setLoopOptions({ shapeInvariants: [[out, [null]]] });
        out = tf.concat([out, tf.reshape(x, [1])]);
      }
      return out;
    });
    expect(value(prefixes(tf.tensor([4, 5, 6])))).toEqual([4, 5, 6]);
  });

  it("a property loop variable is matched by its name (cfg.acc)", () => {
    const f = tf.function((n: any) => {
      const cfg: any = { acc: tf.zeros([1]) };
      let i: any = tf.scalar(0);
      while (i < n) {
        autograph.setLoopOptions({ shapeInvariants: [[cfg.acc, [null]]] });
        cfg.acc = tf.concat([cfg.acc, tf.ones([1])]);
        i += 1;
      }
      return cfg.acc;
    });
    expect(value(f(tf.scalar(2)))).toEqual([0, 1, 1]);
  });

  it("without an invariant, the shape error names setLoopOptions with the invariant to write", () => {
    const f = tf.function((n: any) => {
      let rows: any = tf.zeros([1, 2]);
      let i: any = tf.scalar(0);
      while (i < n) {
        rows = tf.concat([rows, rows], 0);
        i += 1;
      }
      return rows;
    });
    expect(() => f(tf.scalar(3))).toThrow(tf.ControlFlowError);
    expect(() => f(tf.scalar(3))).toThrow(
      /'rows' has shape \[1,2\] before the loop, but shape \[2,2\] after one iteration; to let it change, make 'autograph\.setLoopOptions\(\{ shapeInvariants: \[\[rows, \[null,2\]\]\] \}\)' the first statement of the loop body .*\(in the while loop at test\/loop_options\.test\.ts:\d+:7\)/,
    );
  });

  it("an invariant the new shape does not fit, and a target that is not a loop variable, are errors", () => {
    const misfit = tf.function((n: any) => {
      let rows: any = tf.zeros([1, 2]);
      let i: any = tf.scalar(0);
      while (i < n) {
        autograph.setLoopOptions({ shapeInvariants: [[rows, [null, 2]]] });
        rows = tf.concat([rows, rows], 1);
        i += 1;
      }
      return rows;
    });
    expect(() => misfit(tf.scalar(1))).toThrow(
      /'rows' has shape \[null,4\] after one iteration, which does not fit its shape invariant \[null,2\] from setLoopOptions/,
    );
    const notCarried = tf.function((n: any) => {
      const fixed = tf.zeros([2]);
      let i: any = tf.scalar(0);
      while (i < n) {
        autograph.setLoopOptions({ shapeInvariants: [[fixed, [null]]] });
        i += 1;
      }
      return fixed;
    });
    expect(() => notCarried(tf.scalar(1))).toThrow(AutoGraphError);
    expect(() => notCarried(tf.scalar(1))).toThrow(/shapeInvariants\[0\] \('fixed'\) is not a variable this loop carries; .*\('i'\)/);
  });
});

describe("SPEC G6: maximumIterations from autograph.setLoopOptions", () => {
  const capped = (x: any) => {
    let i: any = tf.scalar(0);
    while (x > 0) {
      autograph.setLoopOptions({ maximumIterations: 3 });
      x -= 1;
      i += 1;
    }
    return i;
  };

  it("caps a While op, which records it", () => {
    const f = tf.function(capped);
    expect(value(f(tf.scalar(10)))).toBe(3);
    expect(value(f(tf.scalar(2)))).toBe(2);
    expect(whileAttrs(f, tf.scalar(1))?.maximumIterations).toBe(3);
  });

  it("caps an eager loop on a tensor condition the same way; a loop on JS values ignores it, as in TF", () => {
    const f = tf.function(capped);
    expect(value(f(10))).toBe(10);
    tf.config.runFunctionsEagerly(true);
    try {
      expect(value(f(tf.scalar(10)))).toBe(3);
      expect(value(f(10))).toBe(10);
    } finally {
      tf.config.runFunctionsEagerly(false);
    }
  });
});

describe("setLoopOptions outside a converted loop", () => {
  it("the converter moves it out of the body into the loop's options; elsewhere it is a ConversionError", () => {
    const code = convertText(`function f(x) {
      while (x > 0) {
        autograph.setLoopOptions({ maximumIterations: 2 });
        x -= 1;
      }
      return x;
    }`);
    expect(code).toContain('ag__.loopOptions({\n    maximumIterations: 2\n  }, [], "<function f>:3:9")');
    expect(code).not.toContain("autograph.setLoopOptions");
    expect(() =>
      convert(function late(x: number) {
        while (x > 0) {
          x -= 1;
          autograph.setLoopOptions({ maximumIterations: 2 });
        }
        return x;
      }),
    ).toThrow(/setLoopOptions\(\.\.\.\) at <function late>:4:\d+ must be the first statement of a loop body/);
    expect(() => convert(() => setLoopOptions({}))).toThrow(ConversionError);
  });

  it("run as written (autograph: false) it only checks its argument", () => {
    expect(setLoopOptions({ maximumIterations: 2, shapeInvariants: [[tf.zeros([1]), [null]]] })).toBeUndefined();
    expect(() => setLoopOptions({ maximumIterations: -1 })).toThrow(/maximumIterations must be a non-negative integer, received -1/);
    expect(() => setLoopOptions({ shapeInvariants: [[tf.zeros([1]), [1.5]]] } as never)).toThrow(
      /shapeInvariants\[0\] must be a \[variable, shape\] pair/,
    );
    expect(() => setLoopOptions({ parallelIterations: 2 } as never)).toThrow(/unknown option 'parallelIterations'/);
  });
});
