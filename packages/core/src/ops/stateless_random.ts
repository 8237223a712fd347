import type { DType } from "../base/dtype.js";
import { ArgumentError, DTypeError, ShapeError, formatShape } from "../base/errors.js";
import { checkShape } from "../base/shape.js";
import { type AnyOpDef, defineOp, type ValueInfo } from "../ir/op.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";
import type { TensorLike } from "../tensor/convert.js";
import { checkConverted, toTensor } from "./convert.js";
import { dimsOf, shapeInput } from "./movement_args.js";
import { checkNormalArgs, checkUniformArgs, requireIntMaxval } from "./random_args.js";
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
    throw new DTypeError(
      `${api}: seed must be an int32 tensor of shape [2], received dtype ${seed.dtype}; convert it with tf.cast(seed, "int32")`,
    );
  }
  if (seed.shape.length !== 1 || (seed.shape[0] !== null && seed.shape[0] !== 2)) {
    throw new ShapeError(`${api}: seed must be an int32 tensor of shape [2], received shape ${formatShape(seed.shape)}`);
  }
}

/** A stateless op: inputs (seed, shape as an attr input), no gradient, checked by `check`. */
function statelessOp<A extends { readonly shape: readonly number[] }>(name: string, api: string, check: (attrs: A, api: string) => DType) {
  return defineOp<A>({
    name,
    api,
    family: "creation",
    // Like TF: no gradient flows to the seed (integers) or through a shape.
    grad: "none",
    inputs: ["seed", "shape"],
    attrInputs: [shapeInput("shape", 1)],
    infer: (inputs, attrs) => {
      checkSeedInfo(inputs[0], api);
      return [{ shape: dimsOf(attrs.shape, api), dtype: check(attrs, api) }];
    },
  });
}

/** `StatelessRandomUniform`: uniform values of a seed tensor; float32 or int32 in `[minval, maxval)`. */
export const StatelessRandomUniform = statelessOp<StatelessUniformAttrs>(
  "StatelessRandomUniform",
  "statelessRandomUniform",
  checkUniformArgs,
);

/** `StatelessRandomNormal`: normal values of a seed tensor, with mean and standard deviation as attributes. */
export const StatelessRandomNormal = statelessOp<StatelessNormalAttrs>("StatelessRandomNormal", "statelessRandomNormal", checkNormalArgs);

/** `StatelessTruncatedNormal`: normal values of a seed tensor, redrawn until within two standard deviations. */
export const StatelessTruncatedNormal = statelessOp<StatelessNormalAttrs>(
  "StatelessTruncatedNormal",
  "statelessTruncatedNormal",
  checkNormalArgs,
);

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
  requireIntMaxval(dtype, options.maxval, "statelessRandomUniform");
  const attrs = { minval: options.minval ?? 0, maxval: options.maxval ?? 1, dtype };
  checkUniformArgs(attrs, "statelessRandomUniform");
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
  checkNormalArgs(attrs, "statelessRandomNormal");
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
  checkNormalArgs(attrs, "statelessTruncatedNormal");
  return bindStateless(StatelessTruncatedNormal, "statelessTruncatedNormal", shape, seed, attrs);
}

/** Chainable methods this file adds to Tensor: none (random ops create tensors). */
export const statelessRandomMethods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {};
