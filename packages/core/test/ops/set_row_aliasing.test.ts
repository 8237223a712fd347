import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

const close = (a: tf.Tensor, b: tf.Tensor) => {
  const x = Array.from(a.dataSync());
  const y = Array.from(b.dataSync());
  expect(x.length).toBe(y.length);
  x.forEach((v, i) => expect(Math.abs(v - y[i]!)).toBeLessThan(1e-4));
};

describe("in-place SetRow never changes a value read elsewhere (aliases, gradients, captured and user tensors, nested loops)", () => {
  it("gradient through a While whose body reads the list before writing it", () => {
    const n = 4;
    const body = (l: tf.Tensor, i: tf.Tensor, x: tf.Tensor) => tf.setRow(l, i, tf.sum(l.square(), 0).mul(0.1).add(x));
    const traced = tf.function((x: tf.Tensor, l0: tf.Tensor) =>
      tf.grads((v: tf.Tensor, l: tf.Tensor) => {
        const [, out] = tf.whileLoop(
          (i) => tf.less(i!, n),
          (i, m) => [i!.add(1), body(m!, i!, v)],
          [tf.scalar(0, "int32"), l],
        );
        return out!.mul(tf.range(1, n * 2 + 1).reshape([n, 2])).sum();
      })([x, l0]),
    );
    const eager = (x: tf.Tensor, l0: tf.Tensor) =>
      tf.grads((v: tf.Tensor, l: tf.Tensor) => {
        let m = l;
        for (let i = 0; i < n; i++) m = body(m, tf.scalar(i, "int32"), v);
        return m.mul(tf.range(1, n * 2 + 1).reshape([n, 2])).sum();
      })([x, l0]);
    const x = tf.tensor([0.3, -0.2]);
    const l0 = tf.tensor([
      [0.1, 0.2],
      [0.3, 0.4],
      [0.5, 0.6],
      [0.7, 0.8],
    ]);
    const before = l0.arraySync();
    const t = traced(x, l0) as tf.Tensor[];
    const e = eager(x, l0);
    close(t[0]!, e[0]!);
    close(t[1]!, e[1]!);
    expect(l0.arraySync()).toEqual(before);
  });

  it("a view of the list returned beside the written list", () => {
    const f = tf.function((x: tf.Tensor) => {
      const a = x.add(0);
      const r = a.reshape([6]);
      const b = tf.setRow(a, 0, tf.tensor([9, 9]));
      return [b, r, a.expandDims(0)];
    });
    const x = tf.ones([3, 2]);
    const [b, r, e] = f(x) as tf.Tensor[];
    expect(b!.arraySync()).toEqual([
      [9, 9],
      [1, 1],
      [1, 1],
    ]);
    expect(r!.arraySync()).toEqual([1, 1, 1, 1, 1, 1]);
    expect(e!.arraySync()).toEqual([
      [
        [1, 1],
        [1, 1],
        [1, 1],
      ],
    ]);
    const g = tf.function((x: tf.Tensor) => {
      const a = x.add(0);
      const r = a.reshape([6]);
      const s = tf.identity(a);
      const b = tf.setRow(s, 0, tf.tensor([9, 9]));
      return [b, r.mul(2)];
    });
    const [b2, r2] = g(x) as tf.Tensor[];
    expect(b2!.arraySync()).toEqual([
      [9, 9],
      [1, 1],
      [1, 1],
    ]);
    expect(r2!.arraySync()).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it("user inputs, constants, variables used as the initial list stay as they were; two calls agree", () => {
    const v = new tf.Variable(tf.ones([3, 2]));
    const fill = (init: () => tf.Tensor) =>
      tf.function((x: tf.Tensor) => {
        const [, l] = tf.whileLoop(
          (i) => tf.less(i!, 3),
          (i, m) => [i!.add(1), tf.setRow(m!, i!, x.mul(tf.cast(i!.add(1), "float32")))],
          [tf.scalar(0, "int32"), init()],
        );
        return l!;
      });
    const x = tf.tensor([1, 2]);
    const user = tf.zeros([3, 2]).add(5);
    const want = [
      [1, 2],
      [2, 4],
      [3, 6],
    ];
    const fu = tf.function((x: tf.Tensor, u: tf.Tensor) => {
      const [, l] = tf.whileLoop(
        (i) => tf.less(i!, 3),
        (i, m) => [i!.add(1), tf.setRow(m!, i!, x.mul(tf.cast(i!.add(1), "float32")))],
        [tf.scalar(0, "int32"), u],
      );
      return [l!, u.sum()];
    });
    for (let k = 0; k < 2; k++) {
      const [l, s] = fu(x, user) as tf.Tensor[];
      expect(l!.arraySync()).toEqual(want);
      expect(s!.arraySync()).toBe(30);
      expect(fill(() => tf.zeros([3, 2]))(x).arraySync()).toEqual(want);
      expect(fill(() => v.read())(x).arraySync()).toEqual(want);
    }
    expect(user.arraySync()).toEqual([
      [5, 5],
      [5, 5],
      [5, 5],
    ]);
    expect(v.read().arraySync()).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
  });

  it("nested While writing the outer list; If returning the list, read after the write", () => {
    const body = (x: tf.Tensor) => {
      const [, l, k] = tf.whileLoop(
        (i) => tf.less(i!, 2),
        (i, m, _k) => {
          const [, inner] = tf.whileLoop(
            (j) => tf.less(j!, 2),
            (j, q) => [j!.add(1), tf.setRow(q!, tf.add(tf.mul(i!, 2), j!), x.mul(tf.cast(j!.add(i!.mul(10)).add(1), "float32")))],
            [tf.scalar(0, "int32"), m!],
          );
          const kept = tf.cond(
            tf.greater(tf.sum(x), 0),
            () => inner!,
            () => inner!.add(0),
          );
          const view = tf.reshape(inner!, [8]);
          const w = tf.setRow(inner!, tf.mul(i!, 2), x.mul(-1));
          return [i!.add(1), w, kept.add(view.reshape([4, 2]))];
        },
        [tf.scalar(0, "int32"), tf.zeros([4, 2]), tf.zeros([4, 2])],
      );
      return [l!, k!];
    };
    const x = tf.tensor([1, 2]);
    const f = tf.function(body);
    const traced = f(x) as tf.Tensor[];
    const eager = body(x);
    expect(traced[0]!.arraySync()).toEqual(eager[0]!.arraySync());
    expect(traced[1]!.arraySync()).toEqual(eager[1]!.arraySync());
    expect(eager[1]!.arraySync()).toEqual([
      [-2, -4],
      [4, 8],
      [22, 44],
      [24, 48],
    ]);
  });
  it("a variable assigned the list inside the loop keeps the value it was assigned", () => {
    const v = new tf.Variable(tf.zeros([3, 2]));
    const f = tf.function((x: tf.Tensor) => {
      const [, l] = tf.whileLoop(
        (i) => tf.less(i!, 3),
        (i, m) => {
          const w = tf.setRow(m!, i!, x.mul(tf.cast(i!.add(1), "float32")));
          v.assign(w);
          return [i!.add(1), w];
        },
        [tf.scalar(0, "int32"), tf.zeros([3, 2])],
      );
      return l!;
    });
    const l = f(tf.tensor([1, 2]));
    expect(l.arraySync()).toEqual([
      [1, 2],
      [2, 4],
      [3, 6],
    ]);
    expect(v.read().arraySync()).toEqual([
      [1, 2],
      [2, 4],
      [3, 6],
    ]);
  });

  it("the gradient writes dy in place only where no other consumer reads it", () => {
    const fn = (a: tf.Tensor, b: tf.Tensor) =>
      tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf
          .setRow(x, 1, y)
          .add(x)
          .mul(
            tf.tensor([
              [1, 2],
              [3, 4],
              [5, 6],
            ]),
          )
          .sum(),
      )([a, b]);
    const a = tf.ones([3, 2]);
    const b = tf.tensor([2, 3]);
    const e = fn(a, b);
    const t = tf.function(fn)(a, b) as tf.Tensor[];
    expect(t[0]!.arraySync()).toEqual(e[0]!.arraySync());
    expect(t[1]!.arraySync()).toEqual(e[1]!.arraySync());
    expect(e[0]!.arraySync()).toEqual([
      [2, 4],
      [3, 4],
      [10, 12],
    ]);
  });

  it("a list the condition and another op of the body read is written only after them", () => {
    const f = tf.function((x: tf.Tensor) =>
      tf.whileLoop(
        (_i, l) => tf.less(tf.sum(l!), 100),
        (i, l, s) => {
          const w = tf.setRow(l!, tf.mod(i!, 3), l!.sum(0).add(x));
          return [i!.add(1), w, s!.add(l!.sum())];
        },
        [tf.scalar(0, "int32"), tf.ones([3, 2]), tf.scalar(0)],
      ),
    );
    const body = (x: tf.Tensor) => {
      let i = 0;
      let l = tf.ones([3, 2]);
      let s = tf.scalar(0);
      while ((tf.sum(l).arraySync() as number) < 100) {
        const w = tf.setRow(l, i % 3, l.sum(0).add(x));
        s = s.add(l.sum());
        l = w;
        i++;
      }
      return [l, s];
    };
    const x = tf.tensor([1, 2]);
    const t = f(x) as tf.Tensor[];
    const e = body(x);
    expect(t[1]!.arraySync()).toEqual(e[0]!.arraySync());
    expect(t[2]!.arraySync()).toEqual(e[1]!.arraySync());
  });
});
