import * as tf from "@kiln/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { take, useCpu } from "../setup.js";

useCpu();

/** Runs `fn` and returns its result's values, freeing it. */
function read(t: unknown): tf.NestedArray {
  const tensor = t as tf.Tensor;
  const value = tensor.arraySync();
  tensor.dispose();
  return value;
}

/** The op types of a concrete function's graph. */
function types(cf: tf.ConcreteFunction): string[] {
  return cf.graph.getOperations().map((op) => op.type);
}

describe("D4: sizes read at run time where dims are unknown", () => {
  let before: tf.MemoryInfo;
  beforeEach(() => {
    before = tf.memory();
  });
  afterEach(() => {
    expect(tf.memory().numTensors).toBe(before.numTensors);
  });

  it("tf.shape, tf.size and tf.rank are int32 constants eagerly and when dims are known", () => {
    const x = tf.ones([2, 3]);
    expect(read(tf.shape(x))).toEqual([2, 3]);
    expect(read(tf.size(x))).toBe(6);
    expect(read(tf.rank(x))).toBe(2);
    const f = tf.function((t: tf.Tensor) => [tf.shape(t), tf.size(t), tf.rank(t)], { autograph: false });
    const cf = f.getConcreteFunction(new tf.TensorSpec([2, 3]));
    expect(types(cf).filter((t) => t === "Shape" || t === "Size")).toEqual([]);
    x.dispose();
  });

  it("with a relaxed dim they are Shape and Size ops read when the graph runs", () => {
    const f = tf.function((t: tf.Tensor) => [tf.shape(t), tf.size(t)], { autograph: false, inputSignature: [new tf.TensorSpec([null, 2])] });
    expect(types(f.getConcreteFunction())).toEqual(["Placeholder", "Shape", "Size", "Identity", "Identity"]);
    for (const rows of [1, 4]) {
      const x = tf.ones([rows, 2]);
      const [shape, size] = f(x) as tf.Tensor[];
      expect([read(shape), read(size)]).toEqual([[rows, 2], rows * 2]);
      x.dispose();
    }
  });

  it("a mean written with tf.size works for every length of a relaxed input (no retrace)", () => {
    const mean = tf.function((t: tf.Tensor) => tf.div(tf.sum(t), tf.cast(tf.size(t), "float32")), { autograph: false });
    const results = [[1, 2, 3], [4, 6], [1, 1, 1, 1, 6]].map((v) => {
      const x = tf.tensor(v);
      const m = read(mean(x));
      x.dispose();
      return m;
    });
    expect(results).toEqual([2, 5, 2]);
    expect(mean.tracingCount).toBe(2); // [3], then the relaxed [null]
  });

  it("shape-taking ops accept tf.shape(x), eagerly and traced: fill, zeros, ones, reshape, broadcastTo, tile, random", () => {
    const f = tf.function(
      (t: tf.Tensor) => {
        const s = tf.shape(t);
        return [
          tf.fill(s, 7),
          tf.zeros(s, "int32"),
          tf.ones(s),
          tf.reshape(tf.range(0, tf.size(t), 1, "int32"), s),
          tf.broadcastTo(tf.tensor([1, 2]), s),
          tf.tile(tf.ones([1, 1]), s),
          tf.randomUniform(s, 0, 1, "float32", 3),
        ];
      },
      { autograph: false, inputSignature: [new tf.TensorSpec([null, 2])] },
    );
    const x = tf.ones([3, 2]);
    const out = (f(x) as tf.Tensor[]).map((t) => ({ shape: t.shape, value: read(t) }));
    expect(out.map((o) => o.shape)).toEqual(new Array(7).fill([3, 2]));
    expect(out[0]!.value).toEqual([[7, 7], [7, 7], [7, 7]]);
    expect(out[3]!.value).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(out[4]!.value).toEqual([[1, 2], [1, 2], [1, 2]]);
    const graph = f.getConcreteFunction().graph;
    const fill = graph.getOperations().find((op) => op.type === "Fill")!;
    expect(fill.inputs.map((i) => i.op.type)).toEqual(["Shape"]);
    expect(fill.outputs[0]!.shape).toEqual([null, 2]);
    const shapeOfX = tf.shape(x);
    const eager = tf.zeros(shapeOfX);
    expect(eager.shape).toEqual([3, 2]);
    tf.dispose([x, shapeOfX, eager]);
  });

  it("a shape list may mix numbers and scalar tensors; constants fold into attrs", () => {
    const f = tf.function(
      (t: tf.Tensor) => {
        const n = tf.gather(tf.shape(t), 0);
        return [tf.zeros([n, 3]), tf.zeros([2, 3])];
      },
      { autograph: false, inputSignature: [new tf.TensorSpec([null])] },
    );
    const x = tf.ones([5]);
    const [a, b] = f(x) as tf.Tensor[];
    expect([a!.shape, b!.shape]).toEqual([[5, 3], [2, 3]]);
    const fills = f.getConcreteFunction().graph.getOperations().filter((op) => op.type === "Fill");
    expect(fills.map((op) => [op.inputs.length, op.outputs[0]!.shape])).toEqual([[1, [null, 3]], [0, [2, 3]]]);
    tf.dispose([x, a!, b!]);
  });

  it("tf.range and AutoGraph-style loops take a tensor n; oneHot takes a tensor depth", () => {
    const f = tf.function((n: tf.Tensor) => [tf.range(n), tf.range(1, n, 2, "int32"), tf.oneHot([0, 2], n)], { autograph: false });
    const n = tf.scalar(4, "int32");
    const [r, r2, hot] = f(n) as tf.Tensor[];
    expect([read(r), read(r2), read(hot)]).toEqual([[0, 1, 2, 3], [1, 3], [[1, 0, 0, 0], [0, 0, 1, 0]]]);
    const three = tf.scalar(3, "int32");
    expect(read(tf.range(three))).toEqual([0, 1, 2]);
    tf.dispose([n, three]);
  });

  it("a tensor where only a JS value works is an ArgumentError that says so", () => {
    const f = tf.function((n: tf.Tensor) => tf.linspace(0, 1, n as unknown as number), { autograph: false });
    const n = tf.scalar(3, "int32");
    expect(() => f(n)).toThrow(tf.ArgumentError);
    expect(() => f(n)).toThrow(/linspace: num must be a positive integer, received a tensor \(a JS value is needed here/);
    const two = tf.ones([2]);
    expect(() => tf.zeros([two as unknown as number])).toThrow(/shape entry 0 must be a number or an int32 scalar tensor/);
    tf.dispose([n, two]);
  });

  it("gradients of reshape and gather into inputs with unknown dims use the run-time shape", () => {
    const f = tf.function(
      (t: tf.Tensor) => {
        const tape = new tf.GradientTape();
        const loss = tape.record(() => {
          tape.watch(t);
          return tf.sum(tf.gather(tf.reshape(t, [-1]), [0, 1]).mul(3));
        });
        return tape.gradient(loss, [t])[0]!;
      },
      { autograph: false, inputSignature: [new tf.TensorSpec([null, 2])] },
    );
    const x = tf.ones([2, 2]);
    expect(read(f(x))).toEqual([[3, 3], [0, 0]]);
    x.dispose();
  });
});

describe("TensorArray with a tensor size and dynamicSize", () => {
  it("grows as writes go past its end, eagerly and inside a traced loop with a data-dependent trip count", () => {
    let ta = new tf.TensorArray({ size: 0, dynamicSize: true, elementShape: [2] });
    ta = ta.write(0, tf.tensor([1, 2])).write(2, tf.tensor([5, 6]));
    expect(read(ta.stack())).toEqual([[1, 2], [0, 0], [5, 6]]);
    const squares = tf.function(
      (n: tf.Tensor) => {
        const init = new tf.TensorArray({ size: 0, dynamicSize: true, elementShape: [] });
        const [, out] = tf.whileLoop(
          (i: tf.Tensor) => tf.less(i, n),
          (i: tf.Tensor, arr: unknown) => [i.add(1), (arr as tf.TensorArray).write(i, tf.cast(i.mul(i), "float32"))],
          [tf.scalar(0, "int32"), init],
        );
        return (out as unknown as tf.TensorArray).stack();
      },
      { autograph: false },
    );
    for (const k of [3, 5]) {
      const n = tf.scalar(k, "int32");
      expect(read(squares(n))).toEqual(Array.from({ length: k }, (_, i) => i * i));
      n.dispose();
    }
    expect(squares.tracingCount).toBe(1);
  });

  it("takes an int32 scalar tensor size", () => {
    const f = tf.function((n: tf.Tensor) => new tf.TensorArray({ size: n, elementShape: [2] }).write(1, tf.ones([2])).stack(), { autograph: false });
    const n = tf.scalar(3, "int32");
    expect(read(f(n))).toEqual([[0, 0], [1, 1], [0, 0]]);
    n.dispose();
  });
});

describe("the README's rule for null dims while tracing", () => {
  it("a size read from tf.shape serves every length from one relaxed trace; a null dim used as a number says to use tf.shape", () => {
    const mean = tf.function((x: tf.Tensor) => tf.div(tf.sum(x), tf.cast(tf.shape(x).slice([0], [1]).reshape([]), "float32")));
    for (const n of [2, 3, 5]) {
      const x = tf.ones([n]);
      expect(take(mean(x))).toBe(1);
      x.dispose();
    }
    expect(mean.tracingCount).toBe(2); // the exact first trace, then one relaxed to [null]
    const bad = tf.function((x: tf.Tensor) => tf.div(tf.sum(x), x.shape[0] as number));
    const [two, three] = [tf.ones([2]), tf.ones([3])];
    expect(take(bad(two))).toBe(1);
    expect(() => bad(three)).toThrow(tf.ArgumentError);
    expect(() => bad(three)).toThrow(/div: argument 'y' .* received null \(inside a tf.function, x.shape\[i\] is null .* use tf.shape\(x\)/);
    tf.dispose([two, three]);
  });
});
