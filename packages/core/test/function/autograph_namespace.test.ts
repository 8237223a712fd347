import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { take, useCpu } from "../setup.js";

useCpu();

// SPEC G8 (and G6 for loop options): `tf.autograph` is core's, usable without
// @kiln/autograph (core never imports it). These tests run without the package loaded;
// packages/autograph/test/tf_autograph.test.ts covers the namespace with it.

const DO_NOT_CONVERT = Symbol.for("kiln.autograph.doNotConvert");
const marked = (fn: unknown) => (fn as Record<symbol, unknown>)[DO_NOT_CONVERT];

describe("SPEC G8: tf.autograph.doNotConvert without @kiln/autograph", () => {
  it("G8: sets the marker @kiln/autograph honours and returns the same function", () => {
    const fn = (x: tf.Tensor) => x.add(1);
    expect(tf.autograph.doNotConvert(fn)).toBe(fn);
    expect(marked(fn)).toBe(true);
    expect(tf.autograph.experimental.doNotConvert).toBe(tf.autograph.doNotConvert);
    // Without a converter registered, the function is traced as written either way.
    expect(take(tf.function(fn)(tf.ones([2])))).toEqual([2, 2]);
  });

  it("G8: works as a method decorator (it returns the method it marks)", () => {
    class Model {
      @tf.autograph.doNotConvert
      step(x: number) {
        return x + 1;
      }
    }
    expect(new Model().step(1)).toBe(2);
    expect(marked(Model.prototype.step)).toBe(true);
  });

  it("G8: anything but a function is a TypeError that says how to mark an object", () => {
    expect(() => tf.autograph.doNotConvert({} as never)).toThrow(TypeError);
    expect(() => tf.autograph.doNotConvert(3 as never)).toThrow(
      /tf\.autograph\.doNotConvert: expected a function, received number 3; to keep every method of an object as written, set obj\[Symbol\.for\("kiln\.autograph\.doNotConvert"\)\] = true/,
    );
  });

  it("G8: the namespace's own functions carry the marker, so converted code calls them as written", () => {
    expect(marked(tf.autograph.toCode)).toBe(true);
    expect(marked(tf.autograph.doNotConvert)).toBe(true);
    expect(marked(tf.autograph.experimental.setLoopOptions)).toBe(true);
    expect(Object.isFrozen(tf.autograph)).toBe(true);
  });
});

describe("SPEC G8: tf.autograph.toCode needs @kiln/autograph", () => {
  it("G8: without the package loaded, it is an AutoGraphUnavailableError naming the function and what to import", () => {
    function relu(x: tf.Tensor) {
      return tf.relu(x);
    }
    expect(() => tf.autograph.toCode(relu)).toThrow(tf.AutoGraphUnavailableError);
    expect(() => tf.autograph.toCode(relu)).toThrow(tf.KilnError);
    expect(() => tf.autograph.toCode(relu)).toThrow(
      `tf.autograph.toCode: AutoGraph is not loaded, so there is no converted code for 'relu'. Import "@kiln/autograph" first (or "@kiln/autograph/register", which also converts every tf.function)`,
    );
    const f = tf.function(relu);
    expect(() => tf.autograph.toCode(f)).toThrow(/no converted code for 'relu'/);
  });

  it("G8: it forwards to the implementation the package installs on the runtime", () => {
    const runtime = new tf.Runtime();
    const seen: Function[] = [];
    runtime.autographToCode = (fn) => {
      seen.push(fn);
      return "converted";
    };
    const fn = (x: number) => -x;
    expect(runtime.run(() => tf.autograph.toCode(fn))).toBe("converted");
    expect(seen).toEqual([fn]);
  });

  it("G8: anything but a function is a TypeError", () => {
    expect(() => tf.autograph.toCode("x => x" as never)).toThrow(TypeError);
    expect(() => tf.autograph.toCode("x => x" as never)).toThrow(
      'tf.autograph.toCode: expected a function or a tf.function, received the string "x => x"',
    );
  });
});

describe("SPEC G6: tf.autograph.experimental.setLoopOptions run as written", () => {
  const { setLoopOptions } = tf.autograph.experimental;

  it("G6: valid options (or none) do nothing", () => {
    expect(setLoopOptions()).toBeUndefined();
    expect(setLoopOptions({})).toBeUndefined();
    expect(setLoopOptions({ maximumIterations: 0, shapeInvariants: [[tf.zeros([1, 2]), [null, 2]]] })).toBeUndefined();
  });

  it("G6: invalid options are an ArgumentError naming the option, what was received and what is valid", () => {
    const rejects = (options: unknown, message: RegExp) => {
      expect(() => setLoopOptions(options as tf.LoopOptions)).toThrow(tf.ArgumentError);
      expect(() => setLoopOptions(options as tf.LoopOptions)).toThrow(message);
    };
    rejects(5, /setLoopOptions: expected an options object \(\{ shapeInvariants, maximumIterations \}\), received number 5/);
    rejects([1], /expected an options object .*received an array of length 1/);
    rejects({ parallelIterations: 2 }, /unknown option 'parallelIterations'; the options are shapeInvariants and maximumIterations/);
    rejects({ maximumIterations: 1.5 }, /maximumIterations must be a non-negative integer, received number 1\.5/);
    rejects({ maximumIterations: -1 }, /maximumIterations must be a non-negative integer, received number -1/);
    rejects({ shapeInvariants: "x" }, /shapeInvariants must be an array of \[variable, shape\] pairs, received the string "x"/);
    rejects(
      { shapeInvariants: [[1, [1.5]]] },
      /shapeInvariants\[0\] must be a \[variable, shape\] pair whose shape lists sizes or null \(e\.g\. \[x, \[null, 2\]\]\), received \[number 1, an array of length 1\]/,
    );
    rejects({ shapeInvariants: [3] }, /shapeInvariants\[0\] must be a \[variable, shape\] pair.*received number 3/);
  });

  it("G6: in a function traced without conversion, it leaves the loop as it is", () => {
    const f = tf.function(
      (n: number) => {
        let total = tf.scalar(0);
        for (let i = 0; i < n; i++) {
          tf.autograph.experimental.setLoopOptions({ maximumIterations: 1 });
          total = total.add(1);
        }
        return total;
      },
      { autograph: false },
    );
    expect(take(f(3))).toBe(3);
  });
});
