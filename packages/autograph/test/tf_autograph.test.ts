import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { ConversionError, autograph, isConverted } from "../src/index.js";
import { install } from "../src/runtime.js";
import { convertText, useCpu } from "./helpers.js";

// SPEC G8 (and G6 for loop options): core's `tf.autograph` namespace, as TF writes it, with
// this package loaded. This file is converted by the bundler plugin (vitest.config.ts), as
// a Vite user's code would be, so the functions given to tf.function here get converted twins.

useCpu();

const value = (t: unknown) => (t as tf.Tensor).arraySync();
/** Whether the function's graph for these arguments has an If op (`If` or `StatelessIf`). */
const hasIf = (fn: tf.PolymorphicFunction, ...args: unknown[]) =>
  fn
    .getConcreteFunction(...args)
    .graph.getOperations()
    .some((op) => /If$/.test(op.type));
/** Converted code calls the runtime as `ag__` (Vite renames the import in this file). */
const IF_EXP = /\.ifExp\(\S+\.gt\(x, 0\), \(\) => x, \(\) => \S+\.neg\(x\)/;

function absolute(x: any) {
  return x > 0 ? x : -x;
}

function signOf(x: any) {
  if (tf.greater(x, 0)) return tf.onesLike(x);
  return tf.neg(tf.onesLike(x));
}

function signAsWritten(x: any) {
  if (tf.greater(x, 0)) return tf.onesLike(x);
  return tf.neg(tf.onesLike(x));
}

describe("SPEC G8: tf.autograph.toCode with @kiln/autograph loaded", () => {
  it("returns the converted source of a function, the same as the package's autograph.toCode", () => {
    const fn = (x: any) => (x > 0 ? x : -x);
    expect(tf.autograph.toCode(fn)).toBe(autograph.toCode(fn));
    expect(tf.autograph.toCode(fn)).toMatch(IF_EXP);
  });

  it("of a tf.function, returns the code it traces; of a function the plugin converted, its twin", () => {
    const f = tf.function(absolute);
    expect(isConverted(f.pythonFunction)).toBe(true);
    expect(tf.autograph.toCode(f)).toBe(f.pythonFunction.toString());
    expect(tf.autograph.toCode(absolute)).toBe(f.pythonFunction.toString());
    expect(tf.autograph.toCode(absolute)).toMatch(IF_EXP);
  });

  it("with only converted modules loaded (no parser), knows their code and says what to import for the rest", () => {
    const runtime = new tf.Runtime();
    runtime.run(() => {
      expect(() => tf.autograph.toCode(absolute)).toThrow(tf.AutoGraphUnavailableError);
      install(); // what every converted module runs when it loads
      expect(tf.autograph.toCode(absolute)).toMatch(IF_EXP);
      const unconverted = (x: number) => -x;
      expect(() => tf.autograph.toCode(unconverted)).toThrow(ConversionError);
      expect(() => tf.autograph.toCode(unconverted)).toThrow(
        /'unconverted' was not converted when its module was built or loaded, .*import "@kiln\/autograph"/,
      );
    });
  });
});

describe("SPEC G8: tf.autograph.doNotConvert skips conversion", () => {
  it("a function given to tf.function is traced as written: `if (tensor)` takes the first branch, no If op", () => {
    const converted = tf.function(signOf);
    expect(hasIf(converted, tf.scalar(1))).toBe(true);
    expect(value(converted(tf.scalar(-3)))).toBe(-1);
    const kept = tf.function(tf.autograph.doNotConvert(signAsWritten));
    expect(kept.pythonFunction).toBe(signAsWritten);
    expect(hasIf(kept, tf.scalar(1))).toBe(false);
    expect(value(kept(tf.scalar(-3)))).toBe(1);
    expect((signAsWritten as unknown as Record<symbol, unknown>)[Symbol.for("kiln.autograph.doNotConvert")]).toBe(true);
  });

  it("a function literal wrapped in it is left as written by the plugin", () => {
    const kept = tf.function(tf.autograph.doNotConvert((x: any) => (tf.greater(x, 0) ? x : tf.neg(x))));
    expect(isConverted(kept.pythonFunction)).toBe(false);
    expect(value(kept(tf.scalar(-2)))).toBe(-2);
  });

  it("a helper marked with it is called as written from converted code", () => {
    const helper = tf.autograph.doNotConvert((x: any) => (tf.greater(x, 0) ? x : tf.neg(x)));
    const outer = tf.function((x: any) => helper(x) + 1);
    expect(hasIf(outer, tf.scalar(1))).toBe(false);
    expect(value(outer(tf.scalar(-2)))).toBe(-1);
  });
});

describe("SPEC G6: tf.autograph.experimental.setLoopOptions in converted loops", () => {
  it("the converter recognises the call by its last name and moves it into the loop's options", () => {
    const code = convertText(`function f(x) {
      while (x > 0) {
        tf.autograph.experimental.setLoopOptions({ maximumIterations: 2 });
        x -= 1;
      }
      return x;
    }`);
    expect(code).toContain('ag__.loopOptions({\n    maximumIterations: 2\n  }, [], "<function f>:3:9")');
    expect(code).not.toContain("setLoopOptions");
  });

  it("as the first statement of a loop body, it gives the While op its shape invariants", () => {
    const grow = tf.function((n: any) => {
      let rows: any = tf.zeros([1, 2]);
      let i: any = tf.scalar(0);
      while (i < n) {
        tf.autograph.experimental.setLoopOptions({ shapeInvariants: [[rows, [null, 2]]] });
        rows = tf.concat([rows, tf.ones([1, 2])], 0);
        i += 1;
      }
      return rows;
    });
    expect(value(grow(tf.scalar(2)))).toEqual([
      [0, 0],
      [1, 1],
      [1, 1],
    ]);
    const loop = grow
      .getConcreteFunction(tf.scalar(2))
      .graph.getOperations()
      .find((op) => /While$/.test(op.type));
    const attrs = loop?.attrs as { Tout: { shape: tf.Shape }[] } | undefined;
    expect(attrs?.Tout.map((t) => t.shape)).toContainEqual([null, 2]);
  });

  it("gives the While op its maximumIterations", () => {
    const capped = tf.function((x: any) => {
      let i: any = tf.scalar(0);
      while (x > 0) {
        tf.autograph.experimental.setLoopOptions({ maximumIterations: 3 });
        x -= 1;
        i += 1;
      }
      return i;
    });
    expect(value(capped(tf.scalar(10)))).toBe(3);
    expect(value(capped(tf.scalar(2)))).toBe(2);
  });

  it("run as written (autograph: false), it checks its argument and otherwise does nothing", () => {
    const loop = (n: number, options: unknown) => {
      let total = tf.scalar(0);
      for (let i = 0; i < n; i++) {
        tf.autograph.experimental.setLoopOptions(options as tf.LoopOptions);
        total = tf.add(total, 1);
      }
      return total;
    };
    const f = tf.function(loop, { autograph: false });
    expect(value(f(4, { maximumIterations: 2 }))).toBe(4);
    expect(() => f(1, { maximumIterations: -1 })).toThrow(tf.ArgumentError);
    expect(() => f(1, { maximumIterations: -1 })).toThrow(/setLoopOptions: maximumIterations must be a non-negative integer/);
  });
});
