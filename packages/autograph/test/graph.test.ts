import { readFileSync } from "node:fs";
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { AutoGraphError } from "../src/index.js";
import "../src/register.js";
import { useCpu } from "./helpers.js";

// Converted functions traced with tensors: the graph ops they build (SPEC G1, G3), what
// tracing runs (G4), operators (G2), the branch and loop errors (G5-G7) and variables (H4).

useCpu();

const scalar = new tf.TensorSpec([], "float32");
const ops = (fn: { getConcreteFunction(...args: unknown[]): { graph: tf.FuncGraph } }, ...specs: unknown[]) =>
  fn
    .getConcreteFunction(...specs)
    .graph.getOperations()
    .map((o) => o.type);
const value = (t: unknown) => (t as tf.Tensor).arraySync();

describe("SPEC G3: the seed graphs", () => {
  it("for (let i = 0; i < 10; i++) x += 1 unrolls into ten AddV2", () => {
    const f = tf.function((x: any) => {
      for (let i = 0; i < 10; i++) x += 1;
      return x;
    });
    const types = ops(f, scalar);
    expect(types.filter((t) => t === "AddV2")).toHaveLength(10);
    expect(types).not.toContain("StatelessWhile");
    expect(value(f(tf.scalar(1)))).toBe(11);
  });

  it("for (const i of tf.range(10)) x += 1 gives Range and a While op, no unrolled adds", () => {
    const f = tf.function((x: any) => {
      // The SPEC G3 seed (`as any`: a Tensor is not typed as iterable).
      // biome-ignore lint/correctness/noUnusedVariables: the seed's loop variable is unused
      for (const i of tf.range(10) as any) x += 1;
      return x;
    });
    const types = ops(f, scalar);
    expect(types).toContain("Range");
    expect(types.filter((t) => /While$/.test(t))).toHaveLength(1);
    expect(types).not.toContain("AddV2");
    expect(value(f(tf.scalar(1)))).toBe(11);
  });

  it("SPEC B1: tfCube written (x) => x ** 3 traces to Pow", () => {
    const tfCube = tf.function((x: any) => x ** 3);
    expect(ops(tfCube, scalar)).toEqual(["Placeholder", "Const", "Pow", "Identity"]);
    expect(value(tfCube(tf.scalar(2)))).toBe(8);
  });
});

describe("SPEC G1: statements on tensors become graph ops; on JS values they stay JS", () => {
  it("if on a tensor is one If op; both results are right from one trace", () => {
    const f = tf.function((x: any) => {
      let y: any;
      if (x > 0) y = x * 2;
      else y = -x;
      return y;
    });
    expect(ops(f, scalar)).toContain("StatelessIf");
    expect(value(f(tf.scalar(3)))).toBe(6);
    expect(value(f(tf.scalar(-3)))).toBe(3);
    expect(f.tracingCount).toBe(1);
  });

  it("if on a JS value runs plain JS at trace time (and retraces per value)", () => {
    const f = tf.function((x: any, double: boolean) => {
      if (double) return x * 2;
      return x;
    });
    expect(ops(f, scalar, true)).not.toContain("StatelessIf");
    expect(value(f(tf.scalar(3), true))).toBe(6);
    expect(value(f(tf.scalar(3), false))).toBe(3);
  });

  it("while on a tensor condition is one While op", () => {
    const f = tf.function((n: any) => {
      let i: any = tf.scalar(0);
      let total: any = tf.scalar(0);
      while (i < n) {
        total += i;
        i += 1;
      }
      return total;
    });
    expect(ops(f, scalar).filter((t) => /While$/.test(t))).toHaveLength(1);
    expect(value(f(tf.scalar(5)))).toBe(10);
    expect(value(f(tf.scalar(0)))).toBe(0);
  });

  it("for...of over a tensor iterates its rows in a While op", () => {
    const f = tf.function((m: any) => {
      let acc: any = tf.zeros([2]);
      for (const row of m) acc = tf.add(acc, row);
      return acc;
    });
    expect(ops(f, new tf.TensorSpec([3, 2], "float32")).filter((t) => /While$/.test(t))).toHaveLength(1);
    expect(
      value(
        f(
          tf.tensor([
            [1, 2],
            [3, 4],
            [5, 6],
          ]),
        ),
      ),
    ).toEqual([9, 12]);
  });

  it("for...of over a tensor of unknown length counts its rows at run time", () => {
    const f = tf.function(
      (v: any) => {
        let s: any = tf.scalar(0);
        for (const x of v) s += x;
        return s;
      },
      { inputSignature: [new tf.TensorSpec([null], "float32")] },
    );
    expect(value(f(tf.tensor([1, 2, 3])))).toBe(6);
    expect(value(f(tf.tensor([5])))).toBe(5);
  });

  it("&&, || and ?: on tensors are lazy conds; ! is LogicalNot", () => {
    const f = tf.function((x: any) => {
      const inRange = x > 0 && x < 10;
      const outside = !inRange;
      return [inRange ? x * 10 : x, outside, x < 0 || x > 100];
    });
    const types = ops(f, scalar);
    expect(types.filter((t) => t === "StatelessIf").length).toBeGreaterThanOrEqual(3);
    expect(types).toContain("LogicalNot");
    expect((f(tf.scalar(5)) as tf.Tensor[]).map(value)).toEqual([50, false, false]);
    expect((f(tf.scalar(-5)) as tf.Tensor[]).map(value)).toEqual([-5, true, true]);
    expect((f(tf.scalar(500)) as tf.Tensor[]).map(value)).toEqual([500, true, true]);
  });

  it("early return from inside a tensor loop", () => {
    const firstAbove = tf.function((xs: any, limit: any) => {
      for (const x of xs) {
        if (x > limit) return x;
      }
      return tf.scalar(-1);
    });
    expect(value(firstAbove(tf.tensor([1, 5, 7]), tf.scalar(4)))).toBe(5);
    expect(value(firstAbove(tf.tensor([1, 2, 3]), tf.scalar(4)))).toBe(-1);
    expect(firstAbove.tracingCount).toBe(1);
  });

  it("nested tensor loops with break and continue", () => {
    const f = tf.function((m: any, limit: any) => {
      let total: any = tf.scalar(0);
      for (const row of m) {
        for (const v of row) {
          if (v < 0) continue;
          if (v > limit) break;
          total += v;
        }
      }
      return total;
    });
    const m = [
      [1, -2, 3, 100, 4],
      [5, 6, 200, 7, 8],
    ];
    const plain = (limit: number) => {
      let total = 0;
      for (const row of m) {
        for (const v of row) {
          if (v < 0) continue;
          if (v > limit) break;
          total += v;
        }
      }
      return total;
    };
    expect(value(f(tf.tensor(m), tf.scalar(50)))).toBe(plain(50));
    expect(value(f(tf.tensor(m), tf.scalar(1000)))).toBe(plain(1000));
    expect(value(f(tf.tensor(m), tf.scalar(0)))).toBe(plain(0));
  });

  it("a JS loop (unrolled) around tensor ifs, with continue", () => {
    const f = tf.function((x: any) => {
      let y: any = x;
      for (let i = 0; i < 4; i++) {
        if (y > 10) continue;
        y = y * 2;
      }
      return y;
    });
    expect(value(f(tf.scalar(3)))).toBe(12);
    expect(value(f(tf.scalar(20)))).toBe(20);
  });

  it("the same converted function runs eagerly on eager tensors (conditions are read)", () => {
    let rightSide = 0;
    const check = (x: any) => {
      rightSide++;
      return x < 10;
    };
    const f = tf.function(
      (x: any) => {
        if (x > 0 && check(x)) return x * 2;
        return x;
      },
      { autograph: true },
    );
    tf.config.runFunctionsEagerly(true);
    try {
      expect(value(f(tf.scalar(-1)))).toBe(-1);
      expect(rightSide).toBe(0); // short-circuit on an eager bool tensor
      expect(value(f(tf.scalar(5)))).toBe(10);
      expect(rightSide).toBe(1);
    } finally {
      tf.config.runFunctionsEagerly(false);
    }
  });
});

describe("README example", () => {
  it("collatz steps: a While op with an If inside", () => {
    const collatzSteps = tf.function((n: any) => {
      let steps: any = tf.scalar(0);
      while (n > 1) {
        n = n % 2 === 0 ? n / 2 : 3 * n + 1;
        steps += 1;
      }
      return steps;
    });
    expect(value(collatzSteps(tf.scalar(6)))).toBe(8);
    expect(value(collatzSteps(tf.scalar(27)))).toBe(111);
    expect(collatzSteps.tracingCount).toBe(1);
  });
});

describe("switch", () => {
  it("on a symbolic tensor is an error that suggests if / else if; JS values switch as usual", () => {
    const f = tf.function((x: any, mode: string) => {
      switch (mode) {
        case "double":
          x = x * 2;
          break;
        default:
          x = -x;
      }
      switch (x) {
        case 1:
          return x;
        default:
          return -x;
      }
    });
    expect(() => f(tf.scalar(1), "double")).toThrow(
      /switch statement at test\/graph\.test\.ts:\d+:\d+: the value is a tensor.*Use if \/ else if/,
    );
  });
});

describe("SPEC G4: tracing runs each branch and loop body once; tf.print runs per iteration", () => {
  it("counts trace-time side effects and run-time prints", () => {
    const traced: string[] = [];
    const printed: string[] = [];
    const runtime = tf.getRuntime();
    const saved = runtime.print;
    runtime.print = (m) => printed.push(m);
    try {
      const f = tf.function((n: any) => {
        let i: any = tf.scalar(0);
        while (i < n) {
          traced.push("body");
          tf.print(i);
          i += 1;
        }
        if (i > 2) traced.push("then");
        else traced.push("else");
        return i;
      });
      f(tf.scalar(3));
      expect(traced).toEqual(["body", "then", "else"]);
      expect(printed).toHaveLength(3);
      f(tf.scalar(2));
      expect(traced).toHaveLength(3);
      expect(printed).toHaveLength(5);
    } finally {
      runtime.print = saved;
    }
  });
});

describe("SPEC G2: operators on tensors", () => {
  it("arithmetic, comparison and compound assignment call tensor ops", () => {
    const f = tf.function((a: any, b: any) => {
      let c: any = a;
      c += b;
      c *= 2;
      c -= 1;
      c **= 2;
      return [a - b, a * b, -a, a <= b, a === b, a !== b, c];
    });
    expect((f(tf.scalar(3), tf.scalar(2)) as tf.Tensor[]).map(value)).toEqual([1, 6, -3, false, false, true, 81]);
  });

  it("/ divides exactly and % keeps the sign of the dividend, as in JS", () => {
    const f = tf.function((a: any, b: any) => [a / b, a % b]);
    const [q, r] = f(tf.tensor([7, -7, 7], undefined, "int32"), tf.tensor([2, 2, -2], undefined, "int32")) as unknown as tf.Tensor[];
    expect(q!.dtype).toBe("float32");
    expect(value(q)).toEqual([3.5, -3.5, -3.5]);
    expect(value(r)).toEqual([7 % 2, -7 % 2, 7 % -2]);
  });

  it("a string and a tensor concatenate with the tensor's text; equality with undefined stays JS", () => {
    const seen: unknown[] = [];
    const f = tf.function((x: any, mask?: any) => {
      // biome-ignore lint/style/useTemplate: string + tensor is the case under test
      seen.push("x is " + x, mask === undefined);
      return x;
    });
    f(tf.scalar(1));
    expect(seen).toEqual(['x is Tensor("x:0", shape=(), dtype=float32)', true]);
  });

  it("int32 tensors keep int32 through ternaries with JS numbers", () => {
    const f = tf.function((x: any) => (x > 0 ? x : 0));
    const r = f(tf.scalar(5, "int32")) as tf.Tensor;
    expect(r.dtype).toBe("int32");
    expect(value(r)).toBe(5);
    expect(value(f(tf.scalar(-5, "int32")))).toBe(0);
  });
});

describe("SPEC H4: JS operators on a Variable", () => {
  it("v += 1 throws and points at assignAdd; assignAdd works", () => {
    const v = new tf.Variable(0, { dtype: "int32", name: "counter" });
    const bad = tf.function(() => {
      let w: any = v;
      w += 1;
      return w;
    });
    expect(() => bad()).toThrow(/Variable 'counter' cannot be used with JS operators.*assignAdd/);
    const good = tf.function(() => v.assignAdd(1));
    good();
    good();
    expect(value(v.read())).toBe(2);
  });
});

describe("SPEC G5: branch errors name the variable", () => {
  it("a variable defined in only one branch and used after", () => {
    const f = tf.function((x: any) => {
      let y: any;
      if (x > 0) y = x;
      return y;
    });
    expect(() => f(tf.scalar(1))).toThrow(AutoGraphError);
    expect(() => f(tf.scalar(1))).toThrow(/'y' must also be initialized in the else branch/);
  });

  it("a return in only one branch", () => {
    const f = tf.function((x: any) => {
      if (x > 0) return x;
    });
    expect(() => f(tf.scalar(1))).toThrow(/return statement in only one branch/);
  });

  it("a dtype that differs between branches", () => {
    const f = tf.function((x: any) => {
      let y: any = tf.scalar(0, "int32");
      if (x > 0) y = tf.scalar(1, "int32");
      else y = tf.scalar(1.5);
      return y;
    });
    expect(() => f(tf.scalar(1))).toThrow(/'y' has dtype int32 in the main branch, but dtype float32 in the else branch/);
  });

  it("a structure that differs between branches", () => {
    const f = tf.function((x: any) => {
      let y: any = [x, x];
      if (x > 0) y = [x];
      return y;
    });
    expect(() => f(tf.scalar(1))).toThrow(/'y' has structure \[T\] in the main branch, but \[T,T\] in the else branch/);
  });

  it("shapes may differ: the result gets null dims", () => {
    const f = tf.function((x: any) => {
      let y: any = tf.zeros([2]);
      if (x > 0) y = tf.zeros([3]);
      return y;
    });
    const cf = f.getConcreteFunction(scalar);
    expect(cf.graph.outputs[0]!.shape).toEqual([null]);
    expect(value(f(tf.scalar(1)))).toEqual([0, 0, 0]);
  });

  it("errors carry the statement's location in the user's file (converted by the bundler plugin here)", () => {
    const f = tf.function(function located(x: any) {
      let y: any;
      if (x > 0) y = x; // the located if
      return y;
    });
    const line =
      readFileSync(new URL(import.meta.url), "utf8")
        .split("\n")
        .findIndex((l) => l.includes("// the located if")) + 1;
    expect(() => f(tf.scalar(1))).toThrow(`(in the if statement at test/graph.test.ts:${line}:7)`);
  });
});

describe("SPEC G6: loop errors name the variable", () => {
  it("a loop variable that changes dtype", () => {
    const f = tf.function((n: any) => {
      let x: any = tf.scalar(0, "int32");
      let i: any = tf.scalar(0);
      while (i < n) {
        x = tf.cast(x, "float32");
        i += 1;
      }
      return x;
    });
    expect(() => f(tf.scalar(3))).toThrow(/'x' has dtype int32 before the loop, but dtype float32 after one iteration/);
  });

  it("a loop variable that changes shape without a shape invariant", () => {
    const f = tf.function((n: any) => {
      let x: any = tf.zeros([1]);
      let i: any = tf.scalar(0);
      while (i < n) {
        x = tf.concat([x, x]);
        i += 1;
      }
      return x;
    });
    expect(() => f(tf.scalar(3))).toThrow(/'x' has shape \[1\] before the loop, but shape \[2\] after one iteration/);
  });

  it("a loop variable that changes structure", () => {
    const f = tf.function((n: any) => {
      let x: any = [tf.scalar(0)];
      let i: any = tf.scalar(0);
      while (i < n) {
        x = [tf.scalar(1), tf.scalar(2)];
        i += 1;
      }
      return x;
    });
    expect(() => f(tf.scalar(3))).toThrow(/'x' has structure \[T\] before the loop, but \[T,T\] after one iteration/);
  });

  it("a loop variable undefined before the loop", () => {
    const f = tf.function((n: any) => {
      let x: any;
      let i: any = tf.scalar(0);
      while (i < n) {
        x = i;
        i += 1;
      }
      return x;
    });
    expect(() => f(tf.scalar(3))).toThrow(/'x' must be defined before the loop/);
  });

  it("a non-boolean scalar condition", () => {
    const f = tf.function((n: any) => {
      let i: any = n;
      while (i) i = i - 1;
      return i;
    });
    expect(() => f(tf.scalar(3))).toThrow(
      /while loop at .*the condition is a tensor of shape \[\] and dtype float32; a tensor condition must be a bool scalar/,
    );
  });
});

describe("SPEC G7: a tensor-dependent break or return in a JS loop", () => {
  it("break asks whether a tensor loop was intended", () => {
    const f = tf.function((x: any) => {
      for (let i = 0; i < 5; i++) {
        if (x > i) break;
        x = x + 1;
      }
      return x;
    });
    expect(() => f(tf.scalar(1))).toThrow(/JS loop .* a 'break' inside it depends on a tensor.*Did you mean a tensor loop\?/);
  });

  it("return asks the same", () => {
    const f = tf.function((x: any) => {
      for (const k of [1, 2, 3]) {
        if (x > k) return x;
      }
      return tf.scalar(0);
    });
    expect(() => f(tf.scalar(5))).toThrow(/a 'return' inside it depends on a tensor.*Did you mean a tensor loop\?/);
  });
});
