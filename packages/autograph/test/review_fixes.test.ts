import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { AutoGraphError, convert } from "../src/index.js";
import { useCpu } from "./helpers.js";

// Regression tests for review findings: each converts a function, traces it with
// tf.function on the cpu backend (so tensor conditions become If / While ops) and checks
// the result, or that a construct that cannot be traced faithfully is rejected.

useCpu();

/* eslint-disable @typescript-eslint/no-explicit-any */
type Fn = (...args: any[]) => any;
const traced = (fn: Fn, scope: Record<string, unknown> = {}) => tf.function(convert(fn, { scope: { tf, ...scope } }) as Fn);
const run = (fn: Fn, ...args: unknown[]) => {
  const out = traced(fn)(...args);
  return out instanceof tf.Tensor ? out.arraySync() : out;
};

const run2 = (fn: Fn, scope: Record<string, unknown>, ...args: unknown[]) => (traced(fn, scope)(...args) as tf.Tensor).arraySync();

describe("review 1: property and element writes inside a tensor if/loop", () => {
  it("a property of a local object assigned in both branches is part of the if's state", () => {
    function f(x: any) {
      const cfg = { scale: 1 };
      if (x > 0) {
        cfg.scale = 2;
      } else {
        cfg.scale = 3;
      }
      return x * cfg.scale;
    }
    expect(run(f, tf.scalar(5))).toBe(10);
    expect(run(f, tf.scalar(-5))).toBe(-15);
  });

  it("a nested property (o.a.b) and a property updated with += are state too", () => {
    function f(x: any) {
      const o = { a: { b: 1 }, n: 0 };
      if (x > 0) {
        o.a.b = 4;
        o.n += 1;
      }
      return x * o.a.b + o.n;
    }
    expect(run(f, tf.scalar(5))).toBe(21);
    expect(run(f, tf.scalar(-5))).toBe(-5);
  });

  it("this.scale assigned in a tensor if is part of the state", () => {
    const obj = {
      scale: 1,
      f(x: any) {
        if (x > 0) {
          this.scale = 2;
        } else {
          this.scale = 3;
        }
        return x * this.scale;
      },
    };
    const g = convert(obj.f);
    const fn = tf.function((x: tf.Tensor) => g.call(obj, x) as unknown as tf.Tensor);
    expect(fn(tf.scalar(5)).arraySync()).toBe(10);
  });

  it("a tensor stored in a property inside a tensor loop is a loop variable", () => {
    function f(x: any, xs: any, zero: any) {
      const o = { v: zero };
      for (const i of xs) {
        o.v = o.v + i * x;
      }
      return o.v;
    }
    expect(run(f, tf.scalar(2), tf.range(4), tf.scalar(0))).toBe(12);
  });

  it("a tensor pushed in a tensor if and used after it is not a silent wrong result", () => {
    // Method calls are trace-time side effects (SPEC G4); a branch's tensor escaping
    // through one is an error, never the value of whichever branch was traced last.
    function f(x: any) {
      const a: any[] = [];
      if (x > 0) {
        a.push(x);
      } else {
        a.push(-x);
      }
      return a[0];
    }
    expect(() => run(f, tf.scalar(5))).toThrow(AutoGraphError);
    expect(() => run(f, tf.scalar(5))).toThrow(/if statement at .*:\d+:\d+ depends on a tensor.*a\.push\(\.\.\.\) at .*:\d+:\d+ stores a tensor.*local variable/);
  });

  it("pushing JS values (trace-time logging) in a tensor if stays a trace-time side effect", () => {
    const log: string[] = [];
    function f(x: any) {
      if (x > 0) log.push("then");
      else log.push("else");
      return x;
    }
    expect(run2(f, { log }, tf.scalar(5))).toBe(5);
    expect(log).toEqual(["then", "else"]);
  });

  it("an element write a[i] = v inside a tensor if is rejected", () => {
    function f(x: any) {
      const a: any[] = [x, x];
      const i = 1;
      if (x > 0) {
        a[i] = x * 2;
      }
      return a[1];
    }
    expect(() => run(f, tf.scalar(5))).toThrow(AutoGraphError);
    expect(() => run(f, tf.scalar(5))).toThrow(/if statement at .*:\d+:\d+ depends on a tensor.*a\[i\] at .*:\d+:\d+.*local variable/);
  });

  it("the same constructs still work as JS when the condition is a JS value", () => {
    function f(x: number) {
      const a: number[] = [];
      const cfg = { scale: 1 };
      if (x > 0) {
        a.push(x);
        cfg.scale = 2;
      } else {
        a[0] = -x;
        cfg.scale = 3;
      }
      return a[0]! * cfg.scale;
    }
    expect(convert(f)(5)).toBe(10);
    expect(convert(f)(-5)).toBe(15);
  });

  it("an object created inside the tensor branch may be mutated there", () => {
    function f(x: any) {
      let y = x;
      if (x > 0) {
        const parts: any[] = [];
        parts.push(x * 2);
        y = parts[0];
      }
      return y;
    }
    expect(run(f, tf.scalar(5))).toBe(10);
    expect(run(f, tf.scalar(-5))).toBe(-5);
  });
});

describe("review 2: a variable read through a closure after a tensor if", () => {
  it("is an output of the if", () => {
    function f(x: any) {
      let y = x;
      const get = () => y;
      if (x > 0) {
        y = x * 2;
      }
      return get();
    }
    expect(run(f, tf.scalar(5))).toBe(10);
    expect(run(f, tf.scalar(-5))).toBe(-5);
  });
});

describe("review 3: a function declaration after a return inside a loop", () => {
  it("stays hoisted", () => {
    function f(xs: number[]) {
      for (const x of xs) {
        if (x > 2) return helper(x);
      }
      return 0;
      function helper(v: number) {
        return v * 10;
      }
    }
    expect(convert(f)([1, 3])).toBe(30);
    expect(convert(f)([1, 2])).toBe(0);
  });
});
