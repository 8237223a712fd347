/** Cases for convolutions, pools and their backprop ops (NHWC, every padding kind). */
import { type OpCase, rand, randInt, tf } from "./case.js";

const CONV_TOL = { atol: 2e-5, rtol: 2e-5 };
const spec = (shape: (number | null)[]) => new tf.TensorSpec(shape);

export const convolutionCases: OpCase[] = [
  { op: "Conv2D", label: "same, stride 2", inputs: () => [rand([2, 7, 7, 3], 1), rand([3, 3, 3, 4], 2)], fn: (x, f) => tf.conv2d(x, f, 2, "same"), tol: CONV_TOL },
  { op: "Conv2D", label: "valid, dilation 2", inputs: () => [rand([1, 8, 9, 2], 3), rand([3, 2, 2, 3], 4)], fn: (x, f) => tf.conv2d(x, f, 1, "valid", "NHWC", 2), tol: CONV_TOL },
  {
    op: "Conv2D",
    label: "explicit padding",
    inputs: () => [rand([1, 5, 6, 2], 5), rand([2, 3, 2, 3], 6)],
    fn: (x, f) =>
      tf.conv2d(x, f, [2, 1], [
        [0, 0],
        [1, 2],
        [0, 1],
        [0, 0],
      ]),
    tol: CONV_TOL,
  },
  { op: "Conv2D", label: "unbatched [h, w, c]", inputs: () => [rand([6, 6, 2], 7), rand([3, 3, 2, 2], 8)], fn: (x, f) => tf.conv2d(x, f, 1, "same"), tol: CONV_TOL },
  {
    op: "Conv2D",
    label: "unknown batch and size (SAME_UPPER)",
    inputs: () => [rand([3, 7, 6, 2], 9), rand([3, 3, 2, 2], 10)],
    specs: () => [spec([null, null, null, 2]), spec([3, 3, 2, 2])],
    fn: (x, f) => tf.conv2d(x, f, 2, "same"),
    tol: CONV_TOL,
  },
  { op: "DepthwiseConv2dNative", label: "multiplier 2, same", inputs: () => [rand([2, 6, 5, 3], 11), rand([3, 3, 3, 2], 12)], fn: (x, f) => tf.depthwiseConv2d(x, f, 1, "same"), tol: CONV_TOL },
  { op: "DepthwiseConv2dNative", label: "stride 2, valid", inputs: () => [rand([1, 7, 7, 2], 13), rand([2, 2, 2, 1], 14)], fn: (x, f) => tf.depthwiseConv2d(x, f, 2, "valid"), tol: CONV_TOL },
  { op: "MaxPool", label: "same, stride 2", inputs: () => [rand([2, 7, 7, 3], 15)], fn: (x) => tf.maxPool(x, 3, 2, "same") },
  { op: "MaxPool", label: "valid", inputs: () => [rand([1, 6, 5, 2], 16)], fn: (x) => tf.maxPool(x, 2, 2, "valid") },
  { op: "MaxPool", label: "int32", inputs: () => [randInt([1, 4, 4, 1], 17, -1000000, 1000000)], fn: (x) => tf.maxPool(x, 2, 1, "same") },
  { op: "AvgPool", label: "same, stride 2 (border windows)", inputs: () => [rand([2, 7, 6, 2], 18)], fn: (x) => tf.avgPool(x, 3, 2, "same"), tol: CONV_TOL },
  { op: "AvgPool", label: "valid", inputs: () => [rand([1, 6, 6, 1], 19)], fn: (x) => tf.avgPool(x, 2, 2, "valid"), tol: CONV_TOL },
];

export const convolutionBackpropCases: OpCase[] = [
  {
    op: "Conv2DBackpropInput",
    label: "conv2dTranspose, same, stride 2",
    inputs: () => [rand([2, 4, 4, 3], 1), rand([3, 3, 5, 3], 2)],
    fn: (x, f) => tf.conv2dTranspose(x, f, [2, 8, 8, 5], 2, "same"),
    tol: CONV_TOL,
  },
  {
    op: "Conv2DBackpropInput",
    label: "valid, stride 2 (output padding)",
    inputs: () => [rand([1, 3, 3, 2], 3), rand([3, 3, 4, 2], 4)],
    fn: (dy, f) => tf.conv2DBackpropInput([1, 8, 8, 4], dy, f, 2, "valid"),
    tol: CONV_TOL,
  },
  {
    op: "Conv2DBackpropFilter",
    label: "same, stride 2",
    inputs: () => [rand([2, 7, 7, 3], 5), rand([2, 4, 4, 4], 6)],
    fn: (x, dy) => tf.conv2DBackpropFilter(x, dy, [3, 3, 3, 4], 2, "same"),
    tol: CONV_TOL,
  },
  {
    op: "Conv2DBackpropFilter",
    label: "valid, dilation 2",
    inputs: () => [rand([1, 8, 8, 2], 7), rand([1, 4, 6, 3], 8)],
    fn: (x, dy) => tf.conv2DBackpropFilter(x, dy, [3, 2, 2, 3], 1, "valid", "NHWC", 2),
    tol: CONV_TOL,
  },
  {
    op: "DepthwiseConv2dNativeBackpropInput",
    label: "same",
    inputs: () => [rand([2, 5, 5, 6], 9), rand([3, 3, 3, 2], 10)],
    fn: (dy, f) => tf.depthwiseConv2dNativeBackpropInput([2, 5, 5, 3], dy, f, 1, "same"),
    tol: CONV_TOL,
  },
  {
    op: "DepthwiseConv2dNativeBackpropFilter",
    label: "same, stride 2",
    inputs: () => [rand([2, 6, 6, 3], 11), rand([2, 3, 3, 6], 12)],
    fn: (x, dy) => tf.depthwiseConv2dNativeBackpropFilter(x, dy, [3, 3, 3, 2], 2, "same"),
    tol: CONV_TOL,
  },
  {
    op: "MaxPoolGrad",
    label: "same, stride 2",
    inputs: () => [rand([2, 5, 5, 2], 13), rand([2, 3, 3, 2], 14)],
    fn: (x, dy) => tf.maxPoolGrad(dy, x, tf.maxPool(x, 2, 2, "same"), 2, 2, "same"),
  },
  {
    op: "MaxPoolGradGrad",
    label: "valid, overlapping windows",
    inputs: () => [rand([1, 5, 5, 2], 15), rand([1, 5, 5, 2], 16)],
    fn: (x, g) => tf.maxPoolGradGrad(g, x, tf.maxPool(x, 3, 1, "valid"), 3, 1, "valid"),
  },
  {
    op: "AvgPoolGrad",
    label: "same, stride 2",
    inputs: () => [rand([2, 4, 3, 2], 17)],
    fn: (dy) => tf.avgPoolGrad(dy, [2, 7, 6, 2], 3, 2, "same"),
    tol: CONV_TOL,
  },
];
