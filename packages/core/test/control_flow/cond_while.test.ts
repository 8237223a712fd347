import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

const value = (t: unknown) => (t as tf.Tensor).arraySync();

describe("tf.cond (SPEC G1, G5)", () => {
  it("eagerly runs one branch", () => {
    let ran = "";
    const y = tf.cond(
      tf.scalar(true),
      () => {
        ran += "t";
        return tf.scalar(1);
      },
      () => {
        ran += "f";
        return tf.scalar(2);
      },
    );
    expect(value(y)).toBe(1);
    expect(ran).toBe("t");
  });

  it("traced: one If op with both branches traced once; runs the right branch per call", () => {
    let traces = 0;
    const f = tf.function((x: tf.Tensor) => {
      traces++;
      return tf.cond(
        tf.greater(x, 0),
        () => x.mul(2),
        () => x.neg(),
      );
    });
    expect(value(f(tf.scalar(3)))).toBe(6);
    expect(value(f(tf.scalar(-4)))).toBe(4);
    expect(traces).toBe(1);
    const types = f
      .getConcreteFunction(tf.scalar(1))
      .graph.getOperations()
      .map((o) => o.type);
    expect(types).toContain("StatelessIf");
    expect(types).not.toContain("Mul");
  });

  it("traced: branches capture outer tensors, eager constants and variables; stateful branches use If", () => {
    const c = tf.scalar(10);
    const v = new tf.Variable(0);
    const f = tf.function((x: tf.Tensor, flag: tf.Tensor) =>
      tf.cond(
        flag,
        () => {
          v.assignAdd(x);
          return x.add(c);
        },
        () => x.sub(c),
      ),
    );
    expect(value(f(tf.scalar(1), tf.scalar(true)))).toBe(11);
    expect(value(f(tf.scalar(1), tf.scalar(false)))).toBe(-9);
    expect(value(v.read())).toBe(1);
    expect(
      f
        .getConcreteFunction(tf.scalar(1), tf.scalar(true))
        .graph.getOperations()
        .map((o) => o.type),
    ).toContain("If");
  });

  it("G5: dtype mismatch between branches names the variable; shapes may differ (null dims)", () => {
    const bad = tf.function((x: tf.Tensor) =>
      tf.cond(
        tf.greater(x, 0),
        () => tf.cast(x, "int32"),
        () => x,
        { names: ["x"] },
      ),
    );
    expect(() => bad(tf.scalar(1))).toThrow("'x' has dtype int32 in the main branch, but dtype float32 in the else branch");
    const shapes = tf.function((x: tf.Tensor) =>
      tf.cond(
        tf.greater(tf.sum(x), 0),
        () => x,
        () => tf.concat([x, x], 0),
      ),
    );
    const out = shapes.getConcreteFunction(tf.ones([2])).graph.outputs[0]!;
    expect(out.shape).toEqual([null]);
    expect(value(shapes(tf.tensor([-1, -2])))).toEqual([-1, -2, -1, -2]);
    const structure = tf.function((x: tf.Tensor) =>
      tf.cond(
        tf.greater(x, 0),
        () => [x, x],
        () => [x],
      ),
    );
    expect(() => structure(tf.scalar(1))).toThrow(tf.ControlFlowError);
  });

  it("returning an input unchanged from a branch is safe", () => {
    const f = tf.function((x: tf.Tensor) =>
      tf
        .cond(
          tf.greater(x, 0),
          () => x,
          () => x.neg(),
        )
        .add(1),
    );
    expect(value(f(tf.scalar(2)))).toBe(3);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      const x = tf.scalar(i - 10);
      expect(value(f(x))).toBe(Math.abs(i - 10) + 1);
      tf.dispose(x);
    }
    expect(tf.memory().numTensors).toBe(before + 20);
  });
});

describe("tf.whileLoop (SPEC G1, G4, G6)", () => {
  it("eagerly loops in JS", () => {
    const [i, total] = tf.whileLoop(
      (i) => tf.less(i, 5),
      (i, t) => [i!.add(1), t!.add(i!)],
      [tf.scalar(0), tf.scalar(0)],
    );
    expect([value(i), value(total)]).toEqual([5, 10]);
  });

  it("traced: one While op, any number of iterations without retracing, tf.print per iteration", () => {
    const printed: string[] = [];
    const runtime = tf.getRuntime();
    const saved = runtime.print;
    runtime.print = (m) => printed.push(m);
    try {
      const f = tf.function((n: tf.Tensor) => {
        const [, total] = tf.whileLoop(
          (i) => tf.less(i, n),
          (i, t) => {
            tf.print("i", i!);
            return [i!.add(1), t!.add(i!)];
          },
          [tf.scalar(0), tf.scalar(0)],
        );
        return total!;
      });
      expect(value(f(tf.scalar(4)))).toBe(6);
      expect(value(f(tf.scalar(100)))).toBe(4950);
      expect(f.tracingCount).toBe(1);
      expect(printed.slice(0, 4)).toEqual(["i 0", "i 1", "i 2", "i 3"]);
      expect(
        f
          .getConcreteFunction(tf.scalar(1))
          .graph.getOperations()
          .map((o) => o.type),
      ).toContain("While");
    } finally {
      runtime.print = saved;
    }
  });

  it("maximumIterations and captured values", () => {
    const step = tf.scalar(2);
    const f = tf.function(
      (x: tf.Tensor) =>
        tf.whileLoop(
          () => tf.scalar(true),
          (v) => [v!.add(step)],
          [x],
          { maximumIterations: 3 },
        )[0]!,
    );
    expect(value(f(tf.scalar(1)))).toBe(7);
  });

  it("G6: dtype and shape changes and a non-boolean condition are errors", () => {
    const dtype = tf.function((x: tf.Tensor) =>
      tf.whileLoop(
        (i) => tf.less(i, 3),
        (i) => [tf.cast(i!, "float32")],
        [x],
        { names: ["x"] },
      ),
    );
    expect(() => dtype(tf.scalar(0, "int32"))).toThrow("'x' has dtype int32 before the loop, but dtype float32 after one iteration");
    const shape = tf.function((x: tf.Tensor) =>
      tf.whileLoop(
        (v) => tf.less(tf.sum(v), 100),
        (v) => [tf.concat([v!, v!], 0)],
        [x],
        { names: ["x"] },
      ),
    );
    expect(() => shape(tf.ones([1]))).toThrow(/shapeInvariants/);
    const relaxed = tf.function(
      (x: tf.Tensor) =>
        tf.whileLoop(
          (v) => tf.less(tf.sum(v), 10),
          (v) => [tf.concat([v!, v!], 0)],
          [x],
          { shapeInvariants: [[null]] },
        )[0]!,
    );
    expect((relaxed(tf.ones([1])) as tf.Tensor).shape).toEqual([16]);
    const nonBool = tf.function((x: tf.Tensor) =>
      tf.whileLoop(
        (v) => v,
        (v) => [v!.sub(1)],
        [x],
      ),
    );
    expect(() => nonBool(tf.scalar(3))).toThrow(/boolean scalar/);
  });

  it("leaks nothing over repeated traced loops", () => {
    const f = tf.function(
      (n: tf.Tensor) =>
        tf.whileLoop(
          (i) => tf.less(i, n),
          (i) => [i!.add(1)],
          [tf.scalar(0)],
        )[0]!,
    );
    tf.dispose(f(tf.scalar(3)));
    const before = tf.memory();
    for (let k = 0; k < 50; k++) {
      const n = tf.scalar(k);
      tf.dispose([f(n), n]);
    }
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });
});

describe("tf.TensorArray", () => {
  it("accumulates values eagerly and inside a traced While with tensor indices", () => {
    let ta = new tf.TensorArray({ size: 3, elementShape: [2] });
    ta = ta.write(1, tf.tensor([1, 2]));
    expect(value(ta.stack())).toEqual([
      [0, 0],
      [1, 2],
      [0, 0],
    ]);
    expect(value(ta.read(1))).toEqual([1, 2]);
    expect(() => ta.read(3)).toThrow(/out of range/);
    const squares = tf.function((n: tf.Tensor) => {
      const [, out] = tf.whileLoop(
        (i) => tf.less(i, 4),
        (i, acc) => [i!.add(1), (acc as unknown as tf.TensorArray).write(i!, tf.cast(i!, "float32").square())],
        [tf.scalar(0, "int32"), new tf.TensorArray({ size: 4, elementShape: [] })],
      );
      return (out as unknown as tf.TensorArray).stack().mul(n);
    });
    expect(value(squares(tf.scalar(2)))).toEqual([0, 2, 8, 18]);
    expect(
      squares
        .getConcreteFunction(tf.scalar(1))
        .graph.getOperations()
        .map((o) => o.type),
    ).toContain("StatelessWhile");
  });
});

describe("whileLoop inside a trace", () => {
  it("is one While op even when the loop variables start as eager tensors and the condition reads an argument", () => {
    const start = tf.scalar(0, "int32");
    const f = tf.function(
      (n: tf.Tensor) =>
        tf.whileLoop(
          (i) => tf.less(i, n),
          (i) => [i!.add(1)],
          [start],
        )[0]!,
    );
    expect((f(tf.scalar(7, "int32")) as tf.Tensor).arraySync()).toBe(7);
    expect((f(tf.scalar(2, "int32")) as tf.Tensor).arraySync()).toBe(2);
    expect(f.tracingCount).toBe(1);
    expect(
      f
        .getConcreteFunction(tf.scalar(1, "int32"))
        .graph.getOperations()
        .some((o) => o.type.endsWith("While")),
    ).toBe(true);
  });
});

describe("control-flow argument errors", () => {
  it("cond and whileLoop reject non-function branches and non-array loop values with ArgumentErrors", () => {
    expect(() => tf.cond(tf.scalar(true), 1 as never, 2 as never)).toThrow(tf.ArgumentError);
    expect(() => tf.cond(tf.scalar(true), 1 as never, 2 as never)).toThrow(/cond: trueFn and falseFn must be functions/);
    expect(() =>
      tf.whileLoop(
        () => false,
        (v) => [v!],
        null as never,
      ),
    ).toThrow(/whileLoop: loopVars must be an array/);
    expect(() => tf.whileLoop(null as never, (v) => [v!], [tf.scalar(0)])).toThrow(tf.ArgumentError);
  });
});
