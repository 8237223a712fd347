import { type DType, checkDType, INT32_MAX, INT32_MIN } from "../base/dtype.js";
import { ArgumentError, DTypeError, ShapeError, formatShape } from "../base/errors.js";
import { checkShape } from "../base/shape.js";
import { type AnyOpDef, defineOp, type ValueInfo } from "../ir/op.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";
import type { TensorLike } from "../tensor/convert.js";
import { checkConverted, toTensor } from "./convert.js";
import { dimsOf, shapeInput } from "./movement_args.js";
import { type ShapeLike, shapeArgument } from "./shape_args.js";

// Stateless random ops (TF's `tf.random.stateless_*`): the values are a pure function of
// (seed values, shape, attrs), with the seed an int32 tensor of shape [2] that may be
// computed in the graph (from a variable, a step counter). They are not `stateful`: two
// draws with the same seed are the same values, so the optimizer may fold or share them.
// The streams are `tf.prng`'s `fillStateless*` (base/prng_stateless.ts).

/** Attributes of `StatelessRandomUniform`: values in `[minval, maxval)`. */
export type StatelessUniformAttrs = {
  readonly shape: readonly number[];
  readonly minval: number;
  readonly maxval: number;
  readonly dtype: DType;
};

/** Attributes of `StatelessRandomNormal` and `StatelessTruncatedNormal`. */
export type StatelessNormalAttrs = {
  readonly shape: readonly number[];
  readonly mean: number;
  readonly stdDev: number;
  readonly dtype: DType;
};

/** Options of `statelessRandomUniform`. */
export interface StatelessUniformOptions {
  /** Lower bound, included (default 0). */
  readonly minval?: number;
  /** Upper bound, excluded (default 1; required for int32). */
  readonly maxval?: number;
  /** `float32` (default) or `int32`. */
  readonly dtype?: DType;
}

/** Options of `statelessRandomNormal` and `statelessTruncatedNormal`. */
export interface StatelessNormalOptions {
  readonly mean?: number;
  readonly stdDev?: number;
  /** `float32` only. */
  readonly dtype?: DType;
}

/** Checks the seed input: an int32 tensor of shape [2] (a dim unknown until run time passes). */
function checkSeedInfo(seed: ValueInfo | undefined, api: string): void {
  if (seed === undefined) throw new ArgumentError(`${api}: a seed tensor is required (an int32 tensor of shape [2])`);
  if (seed.dtype !== "int32") {
    throw new DTypeError(`${api}: seed must be an int32 tensor of shape [2], received dtype ${seed.dtype}; convert it with tf.cast(seed, "int32")`);
  }
  if (seed.shape.length !== 1 || (seed.shape[0] !== null && seed.shape[0] !== 2)) {
    throw new ShapeError(`${api}: seed must be an int32 tensor of shape [2], received shape ${formatShape(seed.shape)}`);
  }
}

function checkNumber(value: unknown, name: string, api: string): void {
  if (typeof value !== "number") throw new ArgumentError(`${api}: ${name} must be a number, received ${typeof value} (${String(value)})`);
}

function checkUniform(attrs: StatelessUniformAttrs, api: string): DType {
  const dtype = checkDType(attrs.dtype, api);
  checkNumber(attrs.minval, "minval", api);
  checkNumber(attrs.maxval, "maxval", api);
  if (dtype === "bool") throw new DTypeError(`${api}: dtype bool is not supported; use float32 or int32`);
  if (dtype === "int32") {
    for (const [name, v] of [
      ["minval", attrs.minval],
      ["maxval", attrs.maxval],
    ] as const) {
      if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
        throw new ArgumentError(`${api}: ${name} ${v} must be an int32 integer when dtype is int32`);
      }
    }
    if (!(attrs.minval < attrs.maxval)) {
      throw new ArgumentError(
        `${api}: int32 values are drawn from [minval, maxval), so minval must be less than maxval; received minval ${attrs.minval}, maxval ${attrs.maxval}`,
      );
    }
  }
  return dtype;
}

function checkNormal(attrs: StatelessNormalAttrs, api: string): DType {
  const dtype = checkDType(attrs.dtype, api);
  checkNumber(attrs.mean, "mean", api);
  checkNumber(attrs.stdDev, "stdDev", api);
  if (dtype !== "float32") throw new DTypeError(`${api}: normal values are float32 only, received dtype ${dtype}`);
  return dtype;
}

/** `StatelessRandomUniform`: uniform values of a seed tensor; float32 or int32 in `[minval, maxval)`. */
export const StatelessRandomUniform = defineOp<StatelessUniformAttrs>({
  name: "StatelessRandomUniform",
  api: "statelessRandomUniform",
  family: "creation",
  // Like TF: no gradient flows to the seed (integers) or through a shape.
  grad: "none",
  inputs: ["seed", "shape"],
  attrInputs: [shapeInput("shape", 1)],
  infer: (inputs, attrs) => {
    checkSeedInfo(inputs[0], "statelessRandomUniform");
    return [{ shape: dimsOf(attrs.shape, "statelessRandomUniform"), dtype: checkUniform(attrs, "statelessRandomUniform") }];
  },
});

/** `StatelessRandomNormal`: normal values of a seed tensor, with mean and standard deviation as attributes. */
export const StatelessRandomNormal = defineOp<StatelessNormalAttrs>({
  name: "StatelessRandomNormal",
  api: "statelessRandomNormal",
  family: "creation",
  grad: "none",
  inputs: ["seed", "shape"],
  attrInputs: [shapeInput("shape", 1)],
  infer: (inputs, attrs) => {
    checkSeedInfo(inputs[0], "statelessRandomNormal");
    return [{ shape: dimsOf(attrs.shape, "statelessRandomNormal"), dtype: checkNormal(attrs, "statelessRandomNormal") }];
  },
});

/** `StatelessTruncatedNormal`: normal values of a seed tensor, redrawn until within two standard deviations. */
export const StatelessTruncatedNormal = defineOp<StatelessNormalAttrs>({
  name: "StatelessTruncatedNormal",
  api: "statelessTruncatedNormal",
  family: "creation",
  grad: "none",
  inputs: ["seed", "shape"],
  attrInputs: [shapeInput("shape", 1)],
  infer: (inputs, attrs) => {
    checkSeedInfo(inputs[0], "statelessTruncatedNormal");
    return [{ shape: dimsOf(attrs.shape, "statelessTruncatedNormal"), dtype: checkNormal(attrs, "statelessTruncatedNormal") }];
  },
});

/** Binds a stateless op: the seed, then the shape as an attr (JS numbers) or an attr input (an int32 vector tensor). */
function bindStateless(op: AnyOpDef, api: string, shape: ShapeLike, seed: TensorLike, attrs: object): Tensor {
  const seedTensor = toTensor(seed, api, "seed", "int32");
  const arg = checkConverted(seedTensor, () => shapeArgument(shape, api));
  if ("tensor" in arg) return bind1(op, [seedTensor, arg.tensor], attrs);
  return bind1(op, [seedTensor], { ...attrs, shape: [...checkConverted(seedTensor, () => checkShape(arg.dims, api))] });
}

/**
 * Uniform values that are a pure function of `seed`, an int32 tensor of shape [2] (TF's
 * `tf.random.stateless_uniform`): the same seed values and shape give the same values on
 * every call and every backend, eagerly or traced. The seed may be computed in the graph,
 * so a traced training step can draw a new mask each step from a seed variable it advances.
 * `int32` draws integers in `[minval, maxval)` and needs `maxval`.
 *
 * ```ts
 * tf.statelessRandomUniform([2, 3], [1, 2]);                              // float32 in [0, 1)
 * tf.statelessRandomUniform(tf.shape(x), seedVar, { minval: 0, maxval: 10, dtype: "int32" });
 * ```
 */
export function statelessRandomUniform(shape: ShapeLike, seed: TensorLike, options: StatelessUniformOptions = {}): Tensor {
  const dtype = options.dtype ?? "float32";
  if (dtype === "int32" && options.maxval === undefined) {
    throw new ArgumentError(`statelessRandomUniform: int32 values are drawn from [minval, maxval), so maxval must be given explicitly (like TF)`);
  }
  const attrs = { minval: options.minval ?? 0, maxval: options.maxval ?? 1, dtype };
  checkUniform(attrs as StatelessUniformAttrs, "statelessRandomUniform");
  return bindStateless(StatelessRandomUniform, "statelessRandomUniform", shape, seed, attrs);
}

/**
 * Normal values that are a pure function of `seed` (an int32 tensor of shape [2]), like TF's
 * `tf.random.stateless_normal`. float32 only.
 *
 * ```ts
 * tf.statelessRandomNormal([3, 3], [7, 0], { mean: 0, stdDev: 0.05 });
 * ```
 */
export function statelessRandomNormal(shape: ShapeLike, seed: TensorLike, options: StatelessNormalOptions = {}): Tensor {
  const attrs = { mean: options.mean ?? 0, stdDev: options.stdDev ?? 1, dtype: options.dtype ?? "float32" };
  checkNormal(attrs as StatelessNormalAttrs, "statelessRandomNormal");
  return bindStateless(StatelessRandomNormal, "statelessRandomNormal", shape, seed, attrs);
}

/**
 * Normal values within two standard deviations of the mean (redrawn outside), a pure
 * function of `seed` (an int32 tensor of shape [2]), like TF's
 * `tf.random.stateless_truncated_normal`.
 *
 * ```ts
 * tf.statelessTruncatedNormal([784, 10], [1, 2], { stdDev: 0.1 }); // every value in (-0.2, 0.2)
 * ```
 */
export function statelessTruncatedNormal(shape: ShapeLike, seed: TensorLike, options: StatelessNormalOptions = {}): Tensor {
  const attrs = { mean: options.mean ?? 0, stdDev: options.stdDev ?? 1, dtype: options.dtype ?? "float32" };
  checkNormal(attrs as StatelessNormalAttrs, "statelessTruncatedNormal");
  return bindStateless(StatelessTruncatedNormal, "statelessTruncatedNormal", shape, seed, attrs);
}

/** Chainable methods this file adds to Tensor: none (random ops create tensors). */
export const statelessRandomMethods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {};
