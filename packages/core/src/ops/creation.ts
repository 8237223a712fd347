import { checkDType, type DataArray, type DType, INT32_MAX, INT32_MIN } from "../base/dtype.js";
import { ArgumentError, DTypeError, ShapeError, formatShape } from "../base/errors.js";
import { checkShape, sizeOf } from "../base/shape.js";
import { defineOp } from "../ir/op.js";
import { type NestedValues, type TensorLike, asTensor, checkTensorLike, flattenValues } from "../tensor/convert.js";
import { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";
import { getRuntime } from "../trace/runtime.js";
import { convertEach, toTensor } from "./convert.js";
import { dimsOf, shapeInput, show } from "./movement_args.js";
import { type ScalarLike, type ShapeLike, scalarArgument, shapeArgument } from "./shape_args.js";

/**
 * Creates a tensor from a JS value. Numbers become `float32` unless `dtype` says otherwise
 * (JS cannot tell `10` from `10.0`); booleans become `bool`. A tensor passes through.
 *
 * ```ts
 * tf.constant(10, "int32");
 * tf.constant([[1, 2], [3, 4]]);
 * ```
 */
export function constant(value: TensorLike, dtype?: DType): Tensor {
  if (value instanceof Tensor) return value;
  // A Variable: its current value as a snapshot the caller owns (never the variable's own tensor).
  const read = asTensor(value);
  if (read !== undefined) return read.isSymbolic ? read : getRuntime().share(read);
  checkTensorLike(value, "constant", "value");
  if (dtype !== undefined) checkDType(dtype, "constant");
  const flat = flattenValues(value as NestedValues | DataArray, dtype, "constant");
  return getRuntime().trace.constant(flat.values, flat.shape, flat.dtype);
}

/**
 * tfjs's `tensor(values, shape?, dtype?)`: like `constant`, and a flat array can be given
 * a shape.
 *
 * ```ts
 * tf.tensor([1, 2, 3, 4], [2, 2]);
 * ```
 */
export function tensor(values: NestedValues | DataArray, shape?: readonly number[], dtype?: DType): Tensor {
  checkTensorLike(values, "tensor", "values");
  if (dtype !== undefined) checkDType(dtype, "tensor");
  const flat = flattenValues(values, dtype, "tensor");
  if (shape === undefined) return getRuntime().trace.constant(flat.values, flat.shape, flat.dtype);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ShapeError(`tensor: shape must be an array of non-negative integers, received ${JSON.stringify(shape)}`);
  }
  if (sizeOf(shape) !== flat.values.length) {
    throw new ShapeError(`tensor: shape ${formatShape(shape)} needs ${sizeOf(shape)} values, but ${flat.values.length} were given`);
  }
  return getRuntime().trace.constant(flat.values, shape, flat.dtype);
}

/**
 * A rank-0 tensor.
 *
 * ```ts
 * tf.scalar(3.5);
 * ```
 */
export function scalar(value: number | boolean, dtype?: DType): Tensor {
  if (typeof value !== "number" && typeof value !== "boolean") {
    throw new ShapeError(
      `scalar: expected a number or boolean, received ${Array.isArray(value) ? "an array (use tf.tensor)" : typeof value}`,
    );
  }
  return constant(value, dtype);
}

// ---------------------------------------------------------------------------------------
// Ops whose output is computed from attributes alone. They take no tensor inputs, so the
// same attrs describe the call eagerly and as a graph node, and output shapes are always
// known while tracing.


/**
 * Checks `value` can be stored in `dtype` and returns the stored number. int32 values must
 * be integers in range (a fraction or overflow would silently change the value).
 */
function storedValue(value: unknown, dtype: DType, api: string): number {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value !== "number") {
    throw new DTypeError(
      `${api}: value must be a number or a boolean, received ${value === null ? "null" : typeof value} (${String(value)})`,
    );
  }
  if (dtype === "bool") return value !== 0 ? 1 : 0;
  if (dtype === "int32" && (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX)) {
    throw new DTypeError(
      `${api}: value ${value} cannot be stored as int32 (it must be an integer in [${INT32_MIN}, ${INT32_MAX}]); use float32 or round it first`,
    );
  }
  return value;
}

/** Attributes of `Fill`: every element of a `shape` tensor of `dtype` equals `value`. */
export type FillAttrs = { readonly shape: readonly number[]; readonly value: number; readonly dtype: DType };

/** `Fill`: a tensor of one repeated value. `zeros`, `ones` and `fill` all create it. */
export const Fill = defineOp<FillAttrs>({
  name: "Fill",
  api: "fill",
  family: "creation",
  // Values made from attributes or only from an input's shape: no gradient flows through them.
  grad: "none",
  inputs: ["shape"],
  attrInputs: [shapeInput("shape", 0)],
  infer: (_inputs, attrs) => {
    const shape = dimsOf(attrs.shape, "fill");
    const dtype = checkDType(attrs.dtype, "fill");
    storedValue(attrs.value, dtype, "fill");
    return [{ shape, dtype }];
  },
});

/** Validates the arguments under the public function's own name, then binds `Fill`. */
function bindFill(api: string, shape: ShapeLike, value: number | boolean, dtype: DType): Tensor {
  checkDType(dtype, api);
  const stored = storedValue(value, dtype, api);
  const arg = shapeArgument(shape, api);
  if ("tensor" in arg) return bind1(Fill, [arg.tensor], { value: stored, dtype });
  const dims = checkShape(arg.dims, api);
  return bind1(Fill, [], { shape: [...dims], value: stored, dtype });
}

/**
 * A tensor of zeros (`false` for `bool`).
 *
 * ```ts
 * tf.zeros([2, 3]);          // float32 [[0, 0, 0], [0, 0, 0]]
 * tf.zeros([2], "int32");    // int32 [0, 0]
 * tf.zeros(tf.shape(x));     // x's shape, read when a traced function runs
 * ```
 */
export function zeros(shape: ShapeLike, dtype: DType = "float32"): Tensor {
  return bindFill("zeros", shape, 0, dtype);
}

/**
 * A tensor of ones (`true` for `bool`).
 *
 * ```ts
 * tf.ones([3]); // float32 [1, 1, 1]
 * ```
 */
export function ones(shape: ShapeLike, dtype: DType = "float32"): Tensor {
  return bindFill("ones", shape, 1, dtype);
}

/**
 * A tensor whose every element is `value`. The dtype defaults to `bool` for a boolean and
 * `float32` for a number.
 *
 * ```ts
 * tf.fill([2, 2], 7, "int32"); // [[7, 7], [7, 7]]
 * tf.fill([3], -Infinity);     // [-inf, -inf, -inf]
 * ```
 */
export function fill(shape: ShapeLike, value: number | boolean, dtype?: DType): Tensor {
  return bindFill("fill", shape, value, dtype ?? (typeof value === "boolean" ? "bool" : "float32"));
}

/** `ZerosLike`: zeros with the input's shape and dtype. */
export const ZerosLike = defineOp<{}>({
  name: "ZerosLike",
  api: "zerosLike",
  family: "creation",
  // Values made from attributes or only from an input's shape: no gradient flows through them.
  grad: "none",
  inputs: ["x"],
  infer: ([x]) => [{ shape: x!.shape, dtype: x!.dtype }],
});

/** `OnesLike`: ones with the input's shape and dtype. */
export const OnesLike = defineOp<{}>({
  name: "OnesLike",
  api: "onesLike",
  family: "creation",
  // Values made from attributes or only from an input's shape: no gradient flows through them.
  grad: "none",
  inputs: ["x"],
  infer: ([x]) => [{ shape: x!.shape, dtype: x!.dtype }],
});

/**
 * Zeros with the shape and dtype of `x`.
 *
 * ```ts
 * tf.zerosLike(tf.tensor([[1, 2]], undefined, "int32")); // int32 [[0, 0]]
 * ```
 */
export function zerosLike(x: TensorLike): Tensor {
  return bind1(ZerosLike, [toTensor(x, "zerosLike", "x")]);
}

/**
 * Ones with the shape and dtype of `x`.
 *
 * ```ts
 * tf.onesLike(tf.tensor([true, false])); // bool [true, true]
 * ```
 */
export function onesLike(x: TensorLike): Tensor {
  return bind1(OnesLike, [toTensor(x, "onesLike", "x")]);
}

/** Attributes of `Range`: the numbers `start, start + step, ...` that lie before `stop`. */
export type RangeAttrs = { readonly start: number; readonly stop: number; readonly step: number; readonly dtype: DType };
// (A bound given as a tensor is `null` in the attrs while tracing: its value comes with the run.)

/** Number of elements of a range: empty when `step` points away from `stop`. */
function rangeSize(start: number, stop: number, step: number): number {
  return Math.max(0, Math.ceil((stop - start) / step));
}

function checkRange(attrs: RangeAttrs, api: string): DType {
  const dtype = checkDType(attrs.dtype, api);
  if (dtype === "bool") throw new DTypeError(`${api}: dtype bool is not supported; use float32 or int32`);
  for (const name of ["start", "stop", "step"] as const) {
    const v = attrs[name];
    // A bound given as a tensor whose value only the run knows (see `OpDef.attrInputs`).
    if (v === null) continue;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ArgumentError(`${api}: ${name} must be a finite number, received ${String(v)}`);
    }
    if (dtype === "int32" && !Number.isInteger(v)) {
      throw new DTypeError(`${api}: ${name} ${v} is not an integer, but dtype is int32; use float32 or integer bounds`);
    }
  }
  if (attrs.step === 0) throw new ArgumentError(`${api}: step must not be 0 (received start ${attrs.start}, stop ${attrs.stop}, step 0)`);
  return dtype;
}

/** `Range`: a 1-D arithmetic sequence. */
export const Range = defineOp<RangeAttrs>({
  name: "Range",
  api: "range",
  family: "creation",
  // Values made from attributes or only from an input's shape: no gradient flows through them.
  grad: "none",
  inputs: ["start", "limit", "delta"],
  attrInputs: [
    { attr: "start", input: 0, scalar: true },
    { attr: "stop", input: 1, scalar: true },
    { attr: "step", input: 2, scalar: true },
  ],
  infer: (_inputs, attrs) => {
    const dtype = checkRange(attrs, "range");
    const known = attrs.start !== null && attrs.stop !== null && attrs.step !== null;
    return [{ shape: [known ? rangeSize(attrs.start, attrs.stop, attrs.step) : null], dtype }];
  },
});

/**
 * The numbers from `start` (inclusive) to `stop` (exclusive) in steps of `step`, like TF's
 * `tf.range` and tfjs's `tf.range`. With one argument it counts from 0: `range(3)` is
 * `[0, 1, 2]`. The result is empty when the step points away from `stop`; a zero step is an
 * ArgumentError. The dtype defaults to `float32` (JS cannot tell `3` from `3.0`).
 *
 * ```ts
 * tf.range(0, 5);            // [0, 1, 2, 3, 4]
 * tf.range(5, 0, -2, "int32"); // [5, 3, 1]
 * tf.range(n);               // n a (traced) scalar tensor: a Range read when the function runs
 * ```
 */
export function range(start: ScalarLike, stop?: ScalarLike, step: ScalarLike = 1, dtype: DType = "float32"): Tensor {
  const [first, last] = stop === undefined ? [0, start] : [start, stop];
  const bounds = [first, last, step].map((v) => scalarArgument(v));
  if (bounds.every((b) => "value" in b)) {
    const [s0, s1, s2] = bounds.map((b) => (b as { value: number }).value);
    const attrs: RangeAttrs = { start: s0!, stop: s1!, step: s2!, dtype };
    checkRange(attrs, "range");
    return bind1(Range, [], attrs);
  }
  // A bound is a tensor (e.g. a traced n): all three become inputs, read when the op runs.
  checkDType(dtype, "range");
  const inputs = convertEach(bounds, (b, i) =>
    "tensor" in b ? scalarBound(b.tensor, ["start", "stop", "step"][i]!) : toTensor(b.value, "range", "bound", dtype),
  );
  return bind1(Range, inputs, { dtype });
}

/** A range bound given as a tensor: a scalar of a numeric dtype. */
function scalarBound(t: Tensor, name: string): Tensor {
  if (t.rank !== 0 || t.dtype === "bool") throw new ArgumentError(`range: ${name} must be a number or a numeric scalar tensor, received dtype ${t.dtype} and rank ${t.rank}`);
  return t;
}

/** Attributes of `LinSpace`: `num` evenly spaced float32 values from `start` to `stop`. */
export type LinSpaceAttrs = { readonly start: number; readonly stop: number; readonly num: number };

function checkLinSpace(attrs: LinSpaceAttrs, api: string): void {
  if (typeof attrs.start !== "number" || typeof attrs.stop !== "number") {
    throw new ArgumentError(`${api}: start and stop must be numbers, received ${show(attrs.start)} and ${show(attrs.stop)}`);
  }
  if (!Number.isInteger(attrs.num) || attrs.num <= 0) {
    throw new ArgumentError(`${api}: num must be a positive integer, received ${show(attrs.num)}`);
  }
}

/** `LinSpace`: evenly spaced values, both ends included. */
export const LinSpace = defineOp<LinSpaceAttrs>({
  name: "LinSpace",
  api: "linspace",
  family: "creation",
  // Values made from attributes or only from an input's shape: no gradient flows through them.
  grad: "none",
  inputs: [],
  infer: (_inputs, attrs) => {
    checkLinSpace(attrs, "linspace");
    return [{ shape: [attrs.num], dtype: "float32" }];
  },
});

/**
 * `num` evenly spaced float32 values from `start` to `stop`, both included (the last one
 * is exactly `stop`). `num` must be a positive integer.
 *
 * ```ts
 * tf.linspace(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export function linspace(start: number, stop: number, num: number): Tensor {
  const attrs: LinSpaceAttrs = { start, stop, num };
  checkLinSpace(attrs, "linspace");
  return bind1(LinSpace, [], attrs);
}

/** Attributes of `Eye`: a batch of `numRows x numColumns` identity matrices. */
export type EyeAttrs = {
  readonly numRows: number;
  readonly numColumns: number;
  readonly batchShape: readonly number[];
  readonly dtype: DType;
};

function checkEye(attrs: EyeAttrs, api: string): DType {
  for (const name of ["numRows", "numColumns"] as const) {
    const v = attrs[name];
    if (!Number.isInteger(v) || v < 0) throw new ShapeError(`${api}: ${name} must be a non-negative integer, received ${String(v)}`);
  }
  checkShape(attrs.batchShape, api);
  return checkDType(attrs.dtype, api);
}

/**
 * `Eye`: identity matrices. TF builds `tf.eye` from `MatrixDiag` of ones; Kiln makes it one
 * attribute-only op so it costs a single kernel and no intermediate tensor.
 */
export const Eye = defineOp<EyeAttrs>({
  name: "Eye",
  api: "eye",
  family: "creation",
  // Values made from attributes or only from an input's shape: no gradient flows through them.
  grad: "none",
  inputs: [],
  infer: (_inputs, attrs) => {
    const dtype = checkEye(attrs, "eye");
    return [{ shape: [...attrs.batchShape, attrs.numRows, attrs.numColumns], dtype }];
  },
});

/**
 * An identity matrix (ones on the main diagonal), optionally rectangular and batched:
 * the result has shape `[...batchShape, numRows, numColumns]`.
 *
 * ```ts
 * tf.eye(2);              // [[1, 0], [0, 1]]
 * tf.eye(2, 3, [4]);      // shape [4, 2, 3]
 * ```
 */
export function eye(numRows: number, numColumns?: number, batchShape?: readonly number[], dtype: DType = "float32"): Tensor {
  // Copied so later mutation of the caller's array cannot change a recorded graph node.
  const batch = Array.isArray(batchShape) ? [...batchShape] : (batchShape ?? []);
  const attrs: EyeAttrs = { numRows, numColumns: numColumns ?? numRows, batchShape: batch, dtype };
  checkEye(attrs, "eye");
  return bind1(Eye, [], attrs);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    /** Zeros with this tensor's shape and dtype; see `tf.zerosLike`. */
    zerosLike(): Tensor;
    /** Ones with this tensor's shape and dtype; see `tf.onesLike`. */
    onesLike(): Tensor;
  }
}

/** Chainable methods this file adds to Tensor. */
export const creationMethods = {
  zerosLike(this: Tensor): Tensor {
    return zerosLike(this);
  },
  onesLike(this: Tensor): Tensor {
    return onesLike(this);
  },
};
