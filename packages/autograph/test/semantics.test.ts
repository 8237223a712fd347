import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { AutoGraphError, convert, toCode } from "../src/index.js";
import { converted, run, runIn, traced, useCpu } from "./helpers.js";

// On JS values a converted function must behave exactly like the original (SPEC G1, G2):
// same results, same side effects in the same order, same short-circuiting. On tensors, the
// converted function is traced with tf.function on the cpu backend (so tensor conditions become
// If / While ops): what a tensor if or loop carries as its state, and which constructs are
// rejected because they cannot be traced faithfully.

useCpu();

function outcome(fn: (...args: any[]) => unknown, args: unknown[]): { value?: unknown; error?: string } {
  try {
    return { value: fn(...args) };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** Converts `fn` and checks converted(...args) gives what fn(...args) gives (value or error) for every argument list. */
function sameAsPlain(fn: (...args: any[]) => unknown, cases: unknown[][], scope?: Record<string, unknown>): void {
  const converted = convert(fn, scope === undefined ? {} : { scope });
  for (const args of cases) expect(outcome(converted, args), `${fn.name}(${args.map(String).join(", ")})`).toEqual(outcome(fn, args));
}

describe("converted functions on JS values (SPEC G1, G2)", () => {
  it("if/else, else-if chains and early returns", () => {
    function sign(x: number) {
      if (x > 0) return 1;
      else if (x < 0) return -1;
      return 0;
    }
    function clamp(x: number, lo: number, hi: number) {
      if (x < lo) {
        return lo;
      }
      if (x > hi) return hi;
      const y = x * 2;
      return y / 2;
    }
    sameAsPlain(sign, [[5], [-3], [0], [Number.NaN]]);
    sameAsPlain(clamp, [
      [5, 0, 10],
      [-5, 0, 10],
      [50, 0, 10],
    ]);
  });

  it("a function that falls off the end returns undefined", () => {
    function maybe(x: number) {
      if (x > 0) return x;
    }
    sameAsPlain(maybe, [[1], [-1]]);
  });

  it("nested loops with break and continue", () => {
    function grid(rows: number[][], limit: number) {
      let total = 0;
      let visited = 0;
      for (const row of rows) {
        for (const v of row) {
          visited++;
          if (v < 0) continue;
          if (v > limit) break;
          total += v;
        }
        if (total > 20) break;
      }
      return [total, visited];
    }
    sameAsPlain(grid, [
      [
        [
          [1, 2, -1, 3],
          [4, 100, 5],
          [6, 7],
        ],
        50,
      ],
      [
        [
          [10, 10, 10],
          [10, 10],
        ],
        50,
      ],
      [[], 1],
    ]);
  });

  it("C-style for loops with continue still run their update; break skips it", () => {
    function f(n: number) {
      const seen: number[] = [];
      let i: number;
      for (i = 0; i < n; i++) {
        if (i === 2) continue;
        if (i === 5) break;
        seen.push(i);
      }
      return [seen, i];
    }
    sameAsPlain(f, [[0], [3], [8]]);
  });

  it("early return from inside nested loops", () => {
    function find(rows: number[][], target: number) {
      let steps = 0;
      for (let r = 0; r < rows.length; r++) {
        let c = 0;
        while (c < rows[r]!.length) {
          steps++;
          if (rows[r]![c] === target) return [r, c, steps];
          c++;
        }
      }
      return [-1, -1, steps];
    }
    sameAsPlain(find, [
      [
        [
          [1, 2],
          [3, 4],
        ],
        3,
      ],
      [
        [
          [1, 2],
          [3, 4],
        ],
        9,
      ],
    ]);
  });

  it("do...while runs the body at least once; labelled loops with their own break/continue", () => {
    function count(n: number) {
      let i = 0;
      do {
        i++;
      } while (i < n);
      return i;
    }
    function labelled(n: number) {
      let s = 0;
      loop: for (let i = 0; i < n; i++) {
        // biome-ignore lint/complexity/noUselessLabel: under test
        if (i % 2 === 0) continue loop;
        // biome-ignore lint/complexity/noUselessLabel: under test
        if (i > 6) break loop;
        s += i;
      }
      return s;
    }
    sameAsPlain(count, [[0], [1], [5]]);
    sameAsPlain(labelled, [[3], [10]]);
  });

  it("switch statements keep fallthrough, with breaks and returns inside ifs", () => {
    function sw(k: number, flag: boolean) {
      let y = 0;
      for (let i = 0; i < 3; i++) {
        switch (k) {
          case 1:
            y += 1;
            break;
          // biome-ignore lint/suspicious/noFallthroughSwitchClause: fallthrough is under test
          case 2:
            if (flag) break;
            y += 2;
          case 3:
            y += 3;
            if (flag && i === 1) return -y;
            break;
          default:
            if (i === 0) continue;
            y += 10;
        }
        y *= 2;
      }
      return y;
    }
    sameAsPlain(
      sw,
      [1, 2, 3, 4].flatMap((k) => [
        [k, true],
        [k, false],
      ]),
    );
  });

  it("ternaries, && and || return the same operand JS would", () => {
    const pick = (a: unknown, b: unknown) => [a && b, a || b, !a, a ? b : a, (a && b) || "none"];
    sameAsPlain(pick, [
      [0, 1],
      [1, 0],
      ["", "x"],
      [null, undefined],
      [[], {}],
      [Number.NaN, 2],
    ]);
  });

  it("short-circuit: the right side runs only when JS would run it (also in ternaries)", () => {
    function calls(a: boolean, b: boolean) {
      const log: string[] = [];
      const t = (name: string, v: boolean) => {
        log.push(name);
        return v;
      };
      const r1 = t("a", a) && t("b", b);
      const r2 = t("c", a) || t("d", b);
      const r3 = t("e", a) ? t("f", b) : t("g", b);
      return [r1, r2, r3, log];
    }
    sameAsPlain(calls, [
      [true, true],
      [true, false],
      [false, true],
      [false, false],
    ]);
  });

  it("operators keep JS meaning: strings, null, mixed types, % and / on numbers", () => {
    function ops(a: any, b: any) {
      let c = a;
      c += b;
      let d = 7;
      d %= 3;
      d **= 2;
      let e: any = "5";
      e++;
      return [
        a + b,
        a - b,
        a * b,
        a / b,
        a % b,
        a ** 2,
        -a,
        a < b,
        a <= b,
        a > b,
        a >= b,
        a === b,
        a !== b,
        // biome-ignore lint/suspicious/noDoubleEquals: == is under test
        a == b,
        // biome-ignore lint/suspicious/noDoubleEquals: != is under test
        a != b,
        c,
        d,
        e,
        -7 % 3,
        7 / 2,
      ];
    }
    sameAsPlain(ops, [
      [3, 4],
      ["3", 4],
      [null, 1],
      [undefined, 2],
      [true, 1],
      [-7, 2],
      [1n, 2n],
    ]);
  });

  it("compound assignment to members, and ++ on properties", () => {
    function bump(o: { n: number; m: number }) {
      o.n += 2;
      o.m *= 3;
      o.n++;
      --o.m;
      return o;
    }
    sameAsPlain(bump, [[{ n: 1, m: 2 }]]);
  });

  it("side effects run once and in order (calls, getters, iterators)", () => {
    function effects(xs: number[]) {
      const log: string[] = [];
      function* gen() {
        for (const x of xs) {
          log.push(`yield ${x}`);
          yield x;
        }
        log.push("done");
      }
      let s = 0;
      for (const v of gen()) {
        log.push(`body ${v}`);
        if (v === 2) break;
        s += v;
      }
      return [s, log];
    }
    sameAsPlain(effects, [[[1, 2, 3]], [[1, 3]]]);
  });

  it("closures created in converted code, var hoisting and nested functions", () => {
    function hoist(n: number) {
      const fns: (() => number)[] = [];
      if (n > 0) {
        // biome-ignore lint/correctness/noInnerDeclarations: var hoisting out of a converted block is under test
        var v: number | undefined = n * 2;
      }
      for (const k of [1, 2, 3]) fns.push(() => k + (v ?? 0));
      function helper(x: number) {
        if (x > 1) return x - 1;
        return x;
      }
      return [fns.map((f) => f()), helper(n), typeof v];
    }
    sameAsPlain(hoist, [[0], [3]]);
  });

  it("for...in and for...of over strings, Maps and Sets", () => {
    function iterate(obj: Record<string, number>) {
      const keys: string[] = [];
      for (const k in obj) keys.push(k);
      let chars = "";
      for (const ch of "abc") chars = ch + chars;
      let total = 0;
      for (const [k, v] of new Map(Object.entries(obj))) total += v * k.length;
      for (const v of new Set([1, 1, 2])) total += v;
      return [keys, chars, total];
    }
    sameAsPlain(iterate, [[{ a: 1, bb: 2 }], [{}]]);
  });

  it("exceptions propagate, and try/finally inside converted loops still runs", () => {
    function guarded(n: number) {
      const log: string[] = [];
      for (let i = 0; i < n; i++) {
        try {
          if (i === 1) continue;
          if (i === 3) return log;
          log.push(`try ${i}`);
        } finally {
          log.push(`finally ${i}`);
        }
      }
      return log;
    }
    sameAsPlain(guarded, [[2], [5]]);
    const thrower = convert((x: number) => {
      if (x > 0) throw new RangeError(`bad ${x}`);
      return x;
    });
    expect(() => thrower(1)).toThrow(new RangeError("bad 1"));
  });

  it("this and arguments are preserved for functions and methods", () => {
    const obj = {
      base: 10,
      add(x: number) {
        if (x > 0) return this.base + x;
        return this.base;
      },
    };
    const add = convert(obj.add);
    expect(add.call(obj, 5)).toBe(15);
    function count() {
      let n = 0;
      // biome-ignore lint/complexity/noArguments: arguments inside converted loops is under test
      for (const _ of arguments) n++;
      return n;
    }
    sameAsPlain(count, [[], [1, 2, 3]]);
  });

  it("console.log is left as a plain call (SPEC G9)", () => {
    expect(toCode((x: number) => console.log("x is", x))).toBe('x => console.log("x is", x)');
  });

  it("a function declaration after a return inside a loop stays hoisted", () => {
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

describe("SPEC G1: property and element writes inside a tensor if or loop", () => {
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
    expect(runIn(f, { log }, tf.scalar(5))).toBe(5);
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

describe("SPEC G1: a variable read through a closure after a tensor if", () => {
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

describe("SPEC G1: closures in for (let ...) get one binding per iteration", () => {
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

describe("SPEC G1, G7: a JS-value return or break in a JS loop nested in a tensor loop", () => {
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

describe("SPEC G2: compound assignments to computed or nested members, and postfix values", () => {
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

describe("SPEC G2, H4: ordinary operators on a tf.Variable use its value", () => {
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

describe("SPEC G5: a variable overwritten before it is read again is dead after a tensor if", () => {
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

describe("SPEC G6: loop errors", () => {
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
});
