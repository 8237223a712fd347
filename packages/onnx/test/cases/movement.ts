/** Cases for shape, slicing, gathering and joining ops, with static shapes and shapes known only at run time. */
import { type OpCase, rand, randBool, randInt, tf } from "./case.js";

const spec = (shape: (number | null)[], dtype: tf.DType = "float32") => new tf.TensorSpec(shape, dtype);

export const shapeCases: OpCase[] = [
  { op: "Reshape", label: "static with -1", inputs: () => [rand([2, 6], 1)], fn: (x) => tf.reshape(x, [3, -1]) },
  { op: "Reshape", label: "to an empty shape", inputs: () => [rand([0, 3], 1)], fn: (x) => tf.reshape(x, [3, 0]) },
  {
    op: "Reshape",
    label: "shape from a tensor (unknown batch)",
    inputs: () => [rand([4, 6], 2), rand([4, 3, 2], 3)],
    specs: () => [spec([null, 6]), spec([null, 3, 2])],
    fn: (x, y) => tf.reshape(x, tf.shape(y)),
  },
  { op: "Transpose", label: "perm", inputs: () => [rand([2, 3, 4], 4)], fn: (x) => tf.transpose(x, [2, 0, 1]) },
  { op: "ExpandDims", label: "negative axis", inputs: () => [rand([2, 3], 5)], fn: (x) => tf.expandDims(x, -1) },
  { op: "Squeeze", label: "listed axes", inputs: () => [rand([1, 3, 1, 2], 6)], fn: (x) => tf.squeeze(x, [0, 2]) },
  { op: "Squeeze", label: "every size-1 axis", inputs: () => [rand([1, 3, 1], 7)], fn: (x) => tf.squeeze(x) },
  { op: "BroadcastTo", label: "static", inputs: () => [rand([3, 1], 8)], fn: (x) => tf.broadcastTo(x, [2, 3, 4]) },
  {
    op: "BroadcastTo",
    label: "shape from a tensor",
    inputs: () => [rand([1, 3], 9), rand([5, 3], 10)],
    specs: () => [spec([1, 3]), spec([null, 3])],
    fn: (x, y) => tf.broadcastTo(x, tf.shape(y)),
  },
  { op: "Tile", label: "static", inputs: () => [randInt([2, 3], 11)], fn: (x) => tf.tile(x, [2, 1]) },
  {
    op: "Tile",
    label: "multiples from a tensor",
    inputs: () => [rand([2, 2], 12), tf.tensor([3, 2], [2], "int32")],
    specs: () => [spec([2, 2]), spec([2], "int32")],
    fn: (x, m) => tf.tile(x, m),
  },
  { op: "ReverseV2", label: "two axes", inputs: () => [rand([2, 3, 4], 13)], fn: (x) => tf.reverse(x, [0, 2]) },
  { op: "PadV2", label: "float32 value", inputs: () => [rand([2, 3], 14)], fn: (x) => tf.pad(x, [[1, 0], [2, 1]], 7) },
  { op: "PadV2", label: "bool", inputs: () => [randBool([2, 2], 15)], fn: (x) => tf.pad(x, [[0, 1], [1, 0]], true) },
  { op: "Shape", label: "unknown dims", inputs: () => [rand([3, 2], 16)], specs: () => [spec([null, null])], fn: (x) => tf.shape(x) },
  { op: "Size", label: "unknown dims", inputs: () => [rand([3, 2], 17)], specs: () => [spec([null, 2])], fn: (x) => tf.size(x) },
];

export const slicingCases: OpCase[] = [
  { op: "Slice", label: "begin and size", inputs: () => [rand([4, 5], 1)], fn: (x) => tf.slice(x, [1, 2], [2, -1]) },
  {
    op: "StridedSlice",
    label: "negative stride, shrink, new axis",
    inputs: () => [rand([4, 5, 6], 2)],
    fn: (x) => tf.stridedSlice(x, [1, -1, 0, 0], [0, 0, 0, 6], [1, -2, 1, 2], 0b0000, 0b0010, 0, 0b0100, 0b0001),
  },
  { op: "StridedSlice", label: "ellipsis and masks", inputs: () => [rand([3, 4, 5], 3)], fn: (x) => tf.stridedSlice(x, [0, 1], [0, -1], [1, 1], 0, 0, 0b01, 0, 0) },
  {
    op: "StridedSlice",
    label: "unknown batch, last element",
    inputs: () => [rand([5, 3], 4)],
    specs: () => [spec([null, 3])],
    fn: (x) => tf.stridedSlice(x, [-1], [0], [1], 0, 0, 0, 0, 0b1),
  },
];

export const gatherCases: OpCase[] = [
  { op: "GatherV2", label: "axis 1", inputs: () => [rand([3, 4, 2], 1), tf.tensor([[3, 0], [1, 1]], [2, 2], "int32")], fn: (x, i) => tf.gather(x, i, 1) },
  {
    op: "GatherV2",
    label: "batchDims 1, axis 2",
    inputs: () => [rand([2, 3, 4, 2], 2), tf.tensor([[0, 3, 1], [2, 2, 0]], [2, 3], "int32")],
    fn: (x, i) => tf.gather(x, i, 2, 1),
  },
  {
    op: "GatherV2",
    label: "batchDims 1, axis 1",
    inputs: () => [rand([2, 4, 3], 3), tf.tensor([[0, 3], [2, 1]], [2, 2], "int32")],
    fn: (x, i) => tf.gather(x, i, 1, 1),
  },
  { op: "GatherNd", label: "pairs", inputs: () => [randInt([3, 4, 2], 4), tf.tensor([[0, 1], [2, 3], [1, 0]], [3, 2], "int32")], fn: tf.gatherNd },
  {
    op: "ScatterNd",
    label: "duplicates add",
    inputs: () => [tf.tensor([[0], [2], [0]], [3, 1], "int32"), rand([3, 4], 5)],
    fn: (i, u) => tf.scatterNd(i, u, [4, 4]),
  },
  {
    op: "ScatterNd",
    label: "bool",
    inputs: () => [tf.tensor([[1], [3]], [2, 1], "int32"), randBool([2], 6)],
    fn: (i, u) => tf.scatterNd(i, u, [5]),
  },
  {
    op: "SetRow",
    label: "one row of a float list",
    inputs: () => [rand([4, 2, 3], 7), tf.scalar(2, "int32"), rand([2, 3], 8)],
    fn: (x, i, v) => tf.setRow(x, i, v),
  },
  {
    op: "SetRow",
    label: "bool rows",
    inputs: () => [randBool([3, 2], 9), tf.scalar(0, "int32"), randBool([2], 10)],
    fn: (x, i, v) => tf.setRow(x, i, v),
  },
  { op: "OneHot", label: "out-of-range and negative indices", inputs: () => [tf.tensor([0, 2, -1, 5, 1], [5], "int32")], fn: (i) => tf.oneHot(i, 3) },
  {
    op: "OneHot",
    label: "depth from a tensor, int32 values",
    inputs: () => [tf.tensor([[1, 0], [3, 2]], [2, 2], "int32"), tf.scalar(4, "int32")],
    specs: () => [spec([2, 2], "int32"), spec([], "int32")],
    fn: (i, d) => tf.oneHot(i, d, 5, -1, "int32"),
  },
];

export const joiningCases: OpCase[] = [
  { op: "ConcatV2", label: "axis -1", inputs: () => [rand([2, 3], 1), rand([2, 1], 2), rand([2, 2], 3)], fn: (a, b, c) => tf.concat([a, b, c], -1) },
  { op: "Pack", label: "axis 1", inputs: () => [randInt([2, 3], 4), randInt([2, 3], 5)], fn: (a, b) => tf.stack([a, b], 1) },
  { op: "Pack", label: "one tensor", inputs: () => [rand([3], 6)], fn: (a) => tf.stack([a]) },
  { op: "Unpack", label: "axis 1", inputs: () => [rand([2, 3, 2], 7)], fn: (x) => tf.unstack(x, 1) },
  { op: "SplitV", label: "equal parts", inputs: () => [rand([4, 6], 8)], fn: (x) => tf.split(x, 3, 1) },
  { op: "SplitV", label: "sizes with -1", inputs: () => [rand([7, 2], 9)], fn: (x) => tf.split(x, [2, -1, 1], 0) },
  {
    op: "SplitV",
    label: "sizes with -1 on an unknown axis",
    inputs: () => [rand([7, 2], 10)],
    specs: () => [spec([null, 2])],
    fn: (x) => tf.split(x, [2, -1], 0),
  },
];
