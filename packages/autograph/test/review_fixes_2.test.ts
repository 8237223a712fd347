import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { ConversionError, convert } from "../src/index.js";
import { useCpu } from "./helpers.js";

// Regression tests for the second batch of review findings (4-8 and the smaller items).
// Each converts a function and runs it on plain JS values or traces it with tf.function
// on the cpu backend, so tensor conditions become If / While ops.

useCpu();

/* eslint-disable @typescript-eslint/no-explicit-any */
type Fn = (...args: any[]) => any;
const converted = (fn: Fn, scope: Record<string, unknown> = {}) => convert(fn, { scope: { tf, ...scope } }) as Fn;
const traced = (fn: Fn, scope: Record<string, unknown> = {}) => tf.function(converted(fn, scope));
const runIn = (fn: Fn, scope: Record<string, unknown>, ...args: unknown[]) => {
  const out = traced(fn, scope)(...args);
  return out instanceof tf.Tensor ? out.arraySync() : out;
};
const run = (fn: Fn, ...args: unknown[]) => runIn(fn, {}, ...args);

describe("review 5: closures in for (let ...) get one binding per iteration", () => {
  it("closures pushed in the body see their own iteration's value", () => {
    function f() {
      const fs: (() => number)[] = [];
      for (let i = 0; i < 3; i++) fs.push(() => i);
      return fs.map((g) => g());
    }
    expect(converted(f)()).toEqual([0, 1, 2]);
  });

  it("a body that changes the variable, continue, and two variables keep JS meaning", () => {
    function f() {
      const fs: (() => number[])[] = [];
      for (let i = 0, j = 10; i < 6; i++, j--) {
        if (i === 2) continue;
        fs.push(() => [i, j]);
        i++;
      }
      return fs.map((g) => g());
    }
    expect(converted(f)()).toEqual(f());
    expect(f()).toEqual([
      [1, 10],
      [4, 8],
      [6, 7],
    ]);
  });

  it("break, and a closure that writes its iteration's copy, match plain JS", () => {
    function f() {
      const incs: (() => number)[] = [];
      let n = 0;
      for (let i = 0; i < 10; i++) {
        incs.push(() => (i += 100));
        if (i === 2) break;
        n += i;
      }
      return [n, ...incs.map((g) => g())];
    }
    expect(converted(f)()).toEqual(f());
  });

  it("a tensor-conditioned for (let ...) with a closure in the body still traces to a While", () => {
    function f(n: any, zero: any) {
      let total = zero;
      for (let i = zero; i < n; i++) {
        const add = () => total + i;
        total = add();
      }
      return total;
    }
    const g = traced(f);
    expect((g(tf.scalar(4), tf.scalar(0)) as tf.Tensor).arraySync()).toBe(6);
    const scalar = new tf.TensorSpec([], "float32");
    const types = g
      .getConcreteFunction(scalar, scalar)
      .graph.getOperations()
      .map((o: { type: string }) => o.type);
    expect(types.filter((t: string) => /While$/.test(t))).toHaveLength(1);
  });
});

describe("review 7: ordinary operators on a tf.Variable use its value", () => {
  it("x * w, -w, w > 1 and w === 2 read the variable; v += 1 and v++ still throw (SPEC H4)", () => {
    const w: any = new tf.Variable(tf.scalar(2), { name: "w" });
    function f(x: any) {
      let y = x * w + -w;
      if (w > 1) {
        y = y + 100;
      }
      return w === 2 ? y : y - 1000;
    }
    expect(runIn(f, { w }, tf.scalar(5))).toBe(108);
    w.assign(tf.scalar(1));
    expect(runIn(f, { w }, tf.scalar(5))).toBe(4 - 1000);

    function compound() {
      let v: any = w;
      v += 1;
      return v;
    }
    function update() {
      let v: any = w;
      v++;
      return v;
    }
    const text = converted((prefix: string) => prefix + w, { w })("w=") as string;
    expect(text).toMatch(/^w=.*1/s);
    expect(() => runIn(compound, { w })).toThrow(/Variable 'w' cannot be used with JS operators.*assignAdd/);
    expect(() => runIn(update, { w })).toThrow(/Variable 'w' cannot be used with JS operators/);
    w.dispose();
  });

  it("two Variables compare by identity; a tensor += a Variable adds its value", () => {
    const a = new tf.Variable(tf.scalar(3));
    const b = new tf.Variable(tf.scalar(3));
    function f(x: any) {
      let y = x;
      y += a;
      // biome-ignore lint/suspicious/noSelfCompare: the test checks that `===` on one Variable stays an object comparison
      return [y, a === b, a === a];
    }
    const [y, same, self] = traced(f, { a, b })(tf.scalar(1)) as [tf.Tensor, boolean, boolean];
    expect(y.arraySync()).toBe(4);
    expect([same, self]).toEqual([false, true]);
    a.dispose();
    b.dispose();
  });
});

describe("review 6: compound assignments to computed or nested members, and postfix values", () => {
  it("a[i] += x, o.p.q *= x and const old = y++ work on tensors", () => {
    function f(x: any) {
      const a = [x, x];
      const o = { p: { q: x } };
      let i = 0;
      a[i++] += x;
      o.p.q *= x;
      let y = x;
      const old = y++;
      a[1]--;
      return [a[0], a[1], o.p.q, old, y];
    }
    const out = (traced(f)(tf.scalar(3)) as tf.Tensor[]).map((t) => t.arraySync());
    expect(out).toEqual([6, 2, 9, 3, 4]);
  });

  it("keeps JS meaning on JS values: the object and key run once, postfix returns the old number", () => {
    function f() {
      const log: string[] = [];
      const a: any = [1, 2, 3];
      const key = (k: number) => {
        log.push(`key${k}`);
        return k;
      };
      const obj = () => {
        log.push("obj");
        return a;
      };
      obj()[key(1)] += 10;
      const before = obj()[key(2)]++;
      const after = --obj()[key(0)];
      let s: any = "5";
      const old = s++;
      const o = { p: { q: 2 } };
      o.p.q **= 3;
      return { a, log, before, after, old, s, q: o.p.q };
    }
    expect(converted(f)()).toEqual(f());
    expect(converted(f)()).toMatchObject({ a: [0, 12, 4], before: 3, after: 0, old: 5, s: 6, q: 8 });
  });

  it("a Variable as the target of a[i] += 1 or a[i]++ still throws (SPEC H4)", () => {
    const w: any = new tf.Variable(tf.scalar(1), { name: "w" });
    function f() {
      const a = [w];
      a[0] += 1;
      return a[0];
    }
    function g() {
      const o = { v: w };
      return o.v++;
    }
    expect(() => runIn(f, { w })).toThrow(/Variable 'w' cannot be used with JS operators/);
    expect(() => runIn(g, { w })).toThrow(/Variable 'w' cannot be used with JS operators/);
    w.dispose();
  });
});

describe("review 4: a variable overwritten before it is read again is dead after a tensor if", () => {
  it("a later loop that assigns before reading does not make it live", () => {
    function f(x: any) {
      let tmp: any;
      let out = x;
      if (x > 0) {
        tmp = x * 2;
        out = tmp;
      }
      for (const i of [1, 2]) {
        tmp = i;
        out = out + tmp;
      }
      return out;
    }
    expect(run(f, tf.scalar(5))).toBe(13);
    expect(run(f, tf.scalar(-5))).toBe(-2);
  });

  it("a block or an if/else that assigns on both paths kills it; one branch does not", () => {
    function both(x: any, c: boolean) {
      let tmp: any;
      if (x > 0) {
        tmp = x;
      }
      // biome-ignore lint/complexity/noUselessLoneBlockStatements: a block that assigns on every path
      {
        if (c) {
          tmp = 1;
        } else {
          tmp = 2;
        }
      }
      return x + tmp;
    }
    expect(run(both, tf.scalar(5), true)).toBe(6);
    function oneBranch(x: any, c: boolean) {
      let tmp: any;
      if (x > 0) {
        tmp = x;
      }
      if (c) {
        tmp = 1;
      }
      return x + tmp;
    }
    expect(() => run(oneBranch, tf.scalar(5), true)).toThrow(/'tmp' must also be initialized in the else branch/);
  });

  it("a loop that may run zero times lets the value through: still an error", () => {
    function f(x: any, xs: number[]) {
      let tmp: any;
      if (x > 0) {
        tmp = x;
      }
      for (const i of xs) {
        tmp = i;
      }
      return tmp;
    }
    expect(() => run(f, tf.scalar(5), [])).toThrow(/'tmp' must also be initialized in the else branch/);
  });
});

describe("review 8: a JS-value return or break in a JS loop nested in a tensor loop", () => {
  it("a return that depends on JS values only works inside a tensor loop", () => {
    function f(x: any, xs: any) {
      for (const i of xs) {
        for (const v of [1, 2]) {
          if (v === 2) return x * v + i;
        }
      }
      return x;
    }
    expect(run(f, tf.scalar(5), tf.range(3))).toBe(10);
    expect(run(f, tf.scalar(5), tf.range(0))).toBe(5);
  });

  it("a break of a JS loop inside a tensor while loop, and a tensor return after it", () => {
    function f(x: any) {
      let total = x * 0;
      let i = x * 0;
      while (i < 4) {
        for (const v of [1, 2, 3]) {
          if (v === 3) break;
          total = total + v;
        }
        if (total > 7) return total * 100;
        i = i + 1;
      }
      return total;
    }
    expect(run(f, tf.scalar(1))).toBe(900);
  });

  it("a return in a JS loop that does depend on a tensor is still the SPEC G7 error", () => {
    function f(x: any, xs: any) {
      for (const i of xs) {
        for (const v of [1, 2]) {
          if (x > v) return i;
        }
      }
      return x;
    }
    expect(() => run(f, tf.scalar(5), tf.range(3))).toThrow(/a 'return' inside it depends on a tensor/);
  });
});

describe("smaller review items", () => {
  it("a loop variable starting as JS 0 that meets int32 tensors: the dtype error has the loop's location and the fix", () => {
    function f(n: any) {
      let s = 0;
      for (const i of n) {
        s = s + i;
      }
      return s;
    }
    const call = () => run(f, tf.range(0, 3, 1, "int32"));
    expect(call).toThrow(tf.DTypeError);
    expect(call).toThrow(/in the for\.\.\.of loop at <function f>:3:\d+; 's' \(0\) started as a JS number.*tf\.scalar\(value, "int32"\)/);
  });

  it("a local named ag__ is a ConversionError with its location, not a broken conversion", () => {
    function f(x: any) {
      const ag__ = 2;
      if (x > 0) {
        x = x * ag__;
      }
      return x;
    }
    function g(x: any, ag__: number) {
      return x + ag__;
    }
    expect(() => converted(f)).toThrow(ConversionError);
    expect(() => converted(f)).toThrow(/a variable named 'ag__' at <function f>:2:\d+ is not supported.*Rename the variable/);
    expect(() => converted(g)).toThrow(/a variable named 'ag__'/);
  });
});
