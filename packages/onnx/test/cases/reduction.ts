/** Cases for reductions, arg-reductions, cumulative sums, matrix products and topK. */
import { type OpCase, rand, randBool, randInt, TRANSCENDENTAL, tf } from "./case.js";

const SUM_TOL = { atol: 1e-5, rtol: 1e-5 };

export const reductionCases: OpCase[] = [
  { op: "Sum", label: "float32 axis 1 keepDims", inputs: () => [rand([3, 4, 2], 1)], fn: (x) => tf.sum(x, 1, true), tol: SUM_TOL },
  { op: "Sum", label: "float32 all axes", inputs: () => [rand([3, 4], 2)], fn: (x) => tf.sum(x), tol: SUM_TOL },
  { op: "Sum", label: "int32 axes [0, 2]", inputs: () => [randInt([3, 4, 2], 3)], fn: (x) => tf.sum(x, [0, 2]) },
  { op: "Sum", label: "bool counts", inputs: () => [randBool([3, 5], 4)], fn: (x) => tf.sum(x, -1) },
  { op: "Sum", label: "no axes (identity)", inputs: () => [rand([2, 3], 5)], fn: (x) => tf.sum(x, []) },
  { op: "Mean", label: "float32", inputs: () => [rand([3, 4], 6)], fn: (x) => tf.mean(x, 0), tol: SUM_TOL },
  { op: "Mean", label: "int32 gives float32", inputs: () => [randInt([3, 4], 7)], fn: (x) => tf.mean(x, 1), tol: SUM_TOL },
  { op: "Max", label: "float32", inputs: () => [rand([3, 4], 8)], fn: (x) => tf.max(x, 1) },
  { op: "Max", label: "bool", inputs: () => [randBool([3, 4], 9)], fn: (x) => tf.max(x, 0, true) },
  { op: "Min", label: "int32", inputs: () => [randInt([3, 4], 10)], fn: (x) => tf.min(x, -1) },
  { op: "Prod", label: "float32", inputs: () => [rand([3, 4], 11, 0.5, 1.5)], fn: (x) => tf.prod(x, 1), tol: SUM_TOL },
  { op: "Prod", label: "int32", inputs: () => [randInt([2, 3], 12, -4, 4)], fn: (x) => tf.prod(x, 1) },
  { op: "All", label: "bool", inputs: () => [randBool([4, 3], 13)], fn: (x) => tf.all(x, 1) },
  { op: "Any", label: "bool all axes", inputs: () => [randBool([4, 3], 14)], fn: (x) => tf.any(x) },
  { op: "ArgMax", label: "float32 with ties", inputs: () => [tf.tensor([[1, 3, 3, 0], [5, 5, 1, 5]])], fn: (x) => tf.argMax(x, 1) },
  { op: "ArgMax", label: "bool", inputs: () => [randBool([3, 4], 15)], fn: (x) => tf.argMax(x, 0) },
  { op: "ArgMin", label: "int32", inputs: () => [randInt([3, 4], 16)], fn: (x) => tf.argMin(x, -1) },
  { op: "Cumsum", label: "float32", inputs: () => [rand([3, 4], 17)], fn: (x) => tf.cumsum(x, 1), tol: SUM_TOL },
  { op: "Cumsum", label: "int32 exclusive reverse", inputs: () => [randInt([3, 4], 18)], fn: (x) => tf.cumsum(x, 0, true, true) },
  { op: "Cumsum", label: "bool", inputs: () => [randBool([5], 19)], fn: (x) => tf.cumsum(x) },
];

export const matmulCases: OpCase[] = [
  { op: "MatMul", label: "float32", inputs: () => [rand([3, 5], 1), rand([5, 4], 2)], fn: (a, b) => tf.matMul(a, b), tol: SUM_TOL },
  { op: "MatMul", label: "transposeA", inputs: () => [rand([5, 3], 3), rand([5, 4], 4)], fn: (a, b) => tf.matMul(a, b, true), tol: SUM_TOL },
  { op: "MatMul", label: "transposeB", inputs: () => [rand([3, 5], 5), rand([4, 5], 6)], fn: (a, b) => tf.matMul(a, b, false, true), tol: SUM_TOL },
  { op: "MatMul", label: "int32", inputs: () => [randInt([2, 3], 7), randInt([3, 2], 8)], fn: (a, b) => tf.matMul(a, b) },
  { op: "BatchMatMulV2", label: "batch broadcast", inputs: () => [rand([2, 1, 3, 4], 9), rand([3, 4, 2], 10)], fn: (a, b) => tf.matMul(a, b), tol: SUM_TOL },
  { op: "BatchMatMulV2", label: "adjX adjY", inputs: () => [rand([2, 4, 3], 11), rand([2, 5, 4], 12)], fn: (a, b) => tf.matMul(a, b, true, true), tol: SUM_TOL },
];

export const topKCases: OpCase[] = [
  {
    op: "TopKV2",
    label: "float32 with ties",
    inputs: () => [tf.tensor([[3, 1, 3, 2, 5], [0, 0, 1, 0, -1]])],
    fn: (x) => {
      const { values, indices } = tf.topK(x, 3);
      return [values, indices];
    },
  },
  {
    op: "TopKV2",
    label: "int32 k = 1",
    inputs: () => [randInt([2, 3, 4], 3)],
    fn: (x) => {
      const { values, indices } = tf.topK(x, 1);
      return [values, indices];
    },
  },
];

export { TRANSCENDENTAL };
