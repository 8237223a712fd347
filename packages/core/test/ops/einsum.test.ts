import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { checkGradient, randomInput } from "../gradients/check.js";
import { useCpu } from "../setup.js";

useCpu();

// tf.einsum: a composite (transposes, reshapes, one matMul), checked against a direct
// summation over every index, eagerly and traced with unknown dims, and its gradient
// against finite differences.

/** The einsum of `operands` by looping over every assignment of the letters (the definition). */
function reference(equation: string, operands: tf.Tensor[]): { values: number[]; shape: number[] } {
  const [left, right] = equation.split("->") as [string, string];
  const terms = left.split(",");
  const sizes = new Map<string, number>();
  terms.forEach((t, k) => [...t].forEach((c, i) => sizes.set(c, operands[k]!.shape[i] as number)));
  const letters = [...sizes.keys()];
  const data = operands.map((o) => o.dataSync());
  const strides = operands.map((o) => o.shape.map((_, i) => (o.shape.slice(i + 1) as number[]).reduce((a, b) => a * b, 1)));
  const outShape = [...right].map((c) => sizes.get(c)!);
  const out = new Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(0);
  const index = new Map<string, number>();
  const visit = (depth: number) => {
    if (depth === letters.length) {
      let product = 1;
      terms.forEach((t, k) => {
        product *= data[k]![[...t].reduce((at, c, i) => at + index.get(c)! * strides[k]![i]!, 0)]!;
      });
      const flat = [...right].reduce((at, c) => at * sizes.get(c)! + index.get(c)!, 0);
      out[flat] = out[flat]! + product;
      return;
    }
    for (let v = 0; v < sizes.get(letters[depth]!)!; v++) {
      index.set(letters[depth]!, v);
      visit(depth + 1);
    }
  };
  visit(0);
  return { values: out, shape: outShape };
}

const cases: [string, number[][]][] = [
  [
    "ij,jk->ik",
    [
      [2, 3],
      [3, 4],
    ],
  ],
  [
    "bij,bjk->bik",
    [
      [2, 2, 3],
      [2, 3, 2],
    ],
  ],
  [
    "abc,cde->abde",
    [
      [2, 3, 4],
      [4, 2, 3],
    ],
  ],
  [
    "abcd,cde->abe",
    [
      [2, 3, 2, 2],
      [2, 2, 3],
    ],
  ],
  [
    "aecd,abcd->acbe",
    [
      [2, 3, 2, 4],
      [2, 5, 2, 4],
    ],
  ],
  [
    "acbe,aecd->abcd",
    [
      [2, 2, 5, 3],
      [2, 3, 2, 4],
    ],
  ],
  [
    "ij,ij->i",
    [
      [3, 4],
      [3, 4],
    ],
  ],
  ["i,j->ij", [[3], [2]]],
  ["ijk,k->ij", [[2, 3, 4], [4]]],
  [
    "ij,kj->",
    [
      [2, 3],
      [4, 3],
    ],
  ],
  ["ij->ji", [[2, 3]]],
  ["ijk->k", [[2, 3, 4]]],
  ["ij->", [[2, 3]]],
];

describe("tf.einsum", () => {
  for (const [equation, shapes] of cases) {
    it(`${equation} matches the direct summation, eagerly and traced with unknown dims`, () => {
      const operands = shapes.map((s, i) => randomInput(s, 3 + i));
      const want = reference(equation, operands);
      const got = tf.einsum(equation, ...operands);
      expect(got.shape).toEqual(want.shape);
      Array.from(got.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want.values[i]!, 4));
      const traced = tf.function((...xs: tf.Tensor[]) => tf.einsum(equation, ...xs), {
        autograph: false,
        inputSignature: shapes.map((s) => new tf.TensorSpec(s.map(() => null))),
      });
      const result = traced(...operands) as tf.Tensor;
      expect(result.shape).toEqual(want.shape);
      Array.from(result.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want.values[i]!, 4));
    });
  }

  it("without an arrow the output is the letters seen once, sorted", () => {
    const a = randomInput([2, 3], 1);
    const b = randomInput([3, 4], 2);
    expect(Array.from(tf.einsum("ij,jk", a, b).dataSync())).toEqual(Array.from(tf.matMul(a, b).dataSync()));
    expect(tf.einsum("ba", a).shape).toEqual([3, 2]);
  });

  it("gradients match finite differences", () => {
    checkGradient((a, b) => tf.einsum("abc,cde->abde", a, b), [randomInput([2, 3, 2], 1), randomInput([2, 2, 3], 2)]);
    checkGradient((a, b) => tf.einsum("aecd,abcd->acbe", a, b), [randomInput([1, 3, 2, 2], 3), randomInput([1, 2, 2, 2], 4)]);
    checkGradient((a, b) => tf.einsum("ij,kj->", a, b), [randomInput([2, 3], 5), randomInput([2, 3], 6)]);
    checkGradient((a) => tf.einsum("ijk->ki", a), [randomInput([2, 3, 2], 7)]);
  });

  it("bad equations are typed errors naming the equation", () => {
    const a = tf.ones([2, 3]);
    expect(() => tf.einsum("ij,jk->ik", a)).toThrow(tf.ArgumentError);
    expect(() => tf.einsum("...ij,jk->ik", a, a)).toThrow(/ellipsis/);
    expect(() => tf.einsum("ii->i", tf.ones([2, 2]))).toThrow(/repeats a letter/);
    expect(() => tf.einsum("ij,jk->iz", a, tf.ones([3, 2]))).toThrow(/'z'.*appears in no operand/);
    expect(() => tf.einsum("ijk,jk->i", a, a)).toThrow(tf.ShapeError);
    expect(() => tf.einsum("ij,jk->ik", a, tf.ones([4, 2]))).toThrow(/letter 'j'.*size 3.*and 4/);
    expect(() => tf.einsum("i,j,k->ijk", tf.ones([2]), tf.ones([2]), tf.ones([2]))).toThrow(/one or two operands/);
  });
});
