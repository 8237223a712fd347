import { describe, expect, it } from "vitest";
import { convert, toCode } from "../src/index.js";

// On JS values a converted function must behave exactly like the original (SPEC G1, G2):
// same results, same side effects in the same order, same short-circuiting.

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
});
