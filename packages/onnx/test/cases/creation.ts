/** Cases for the ops that make tensors (and the plumbing every graph has). */
import { type OpCase, rand, randBool, randInt, tf } from "./case.js";

const spec = (shape: (number | null)[], dtype: tf.DType = "float32") => new tf.TensorSpec(shape, dtype);

export const creationCases: OpCase[] = [
  { op: "Fill", label: "static shape, int32", inputs: () => [], fn: () => tf.fill([2, 3], 7, "int32") },
  {
    op: "Fill",
    label: "shape from a tensor",
    inputs: () => [rand([3, 2], 1)],
    specs: () => [spec([null, 2])],
    fn: (x) => tf.add(x, tf.fill(tf.shape(x), 0.5)),
  },
  { op: "ZerosLike", label: "bool", inputs: () => [randBool([2, 3], 2)], fn: tf.zerosLike },
  { op: "OnesLike", label: "int32", inputs: () => [randInt([2, 3], 3)], fn: tf.onesLike },
  { op: "Range", label: "float32 steps of 0.1", inputs: () => [], fn: () => tf.range(0, 1, 0.1) },
  { op: "Range", label: "int32 descending", inputs: () => [], fn: () => tf.range(10, -3, -3, "int32") },
  {
    op: "Range",
    label: "bound from a tensor",
    inputs: () => [tf.scalar(7, "int32")],
    specs: () => [spec([], "int32")],
    fn: (n) => tf.range(1, n, 2, "int32"),
  },
  {
    op: "Range",
    label: "float32 bounds from tensors",
    inputs: () => [tf.scalar(0.3), tf.scalar(2.9)],
    specs: () => [spec([]), spec([])],
    fn: (a, b) => tf.range(a, b, 0.7),
  },
  { op: "LinSpace", label: "11 points", inputs: () => [], fn: () => tf.linspace(-1, 2, 11) },
  { op: "LinSpace", label: "1 point", inputs: () => [], fn: () => tf.linspace(3, 5, 1) },
  { op: "Eye", label: "3x4 with batch [2]", inputs: () => [], fn: () => tf.eye(3, 4, [2]) },
  { op: "Eye", label: "int32 square", inputs: () => [], fn: () => tf.eye(3, undefined, undefined, "int32") },
];

export const plumbingCases: OpCase[] = [
  { op: "Const", label: "a float32 constant", inputs: () => [rand([2, 3], 4)], fn: (x) => tf.add(x, tf.constant([[1, 2, 3]])) },
  { op: "Identity", label: "tf.identity", inputs: () => [randInt([2, 2], 5)], fn: tf.identity },
  { op: "StopGradient", label: "tf.stopGradient", inputs: () => [rand([3], 6)], fn: (x) => tf.mul(tf.stopGradient(x), 2) },
];
