import type { DType } from "../base/dtype.js";
import { ArgumentError } from "../base/errors.js";
import { isSeed } from "../base/prng.js";
import { checkShape } from "../base/shape.js";
import { type AnyOpDef, defineOp } from "../ir/op.js";
import { dimsOf, shapeInput } from "./movement_args.js";
import { checkNormalArgs, checkUniformArgs, requireIntMaxval } from "./random_args.js";
import { type ShapeLike, shapeArgument } from "./shape_args.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind1 } from "../trace/bind.js";

/**
 * The shared seeded streams (Philox4x32-10), re-exported so backends compute exactly the
 * values the cpu backend does: `import { prng } from "@kiln/core"`.
 */
export * as prng from "../base/prng_api.js";

// Random ops are `stateful`: the optimizer never folds, deduplicates or prunes them, so two
// unseeded calls in a traced function stay two draws. A `seed` of `null` means "draw a
// fresh seed each time the kernel runs"; a number makes the op a pure function of it, the
// same on every backend.


/** Attributes of `RandomUniform`: values in `[minval, maxval)`. */
export type RandomUniformAttrs = {
  readonly shape: readonly number[];
  readonly minval: number;
  readonly maxval: number;
  readonly dtype: DType;
  readonly seed: number | null;
};

/** Attributes of `RandomStandardNormal` and `TruncatedNormal`. */
export type RandomNormalAttrs = {
  readonly shape: readonly number[];
  readonly mean: number;
  readonly stdDev: number;
  readonly dtype: DType;
  readonly seed: number | null;
};

function checkSeed(seed: unknown, api: string): void {
  if (seed !== null && !isSeed(seed)) {
    throw new ArgumentError(`${api}: seed must be an integer (a safe JS integer, negative allowed), received ${String(seed)}`);
  }
}

function checkUniform(attrs: RandomUniformAttrs, api: string): DType {
  checkSeed(attrs.seed, api);
  return checkUniformArgs(attrs, api);
}

function checkNormal(attrs: RandomNormalAttrs, api: string): DType {
  checkSeed(attrs.seed, api);
  return checkNormalArgs(attrs, api);
}

/** `RandomUniform`: uniform values; float32 in `[minval, maxval)`, or int32 in `[minval, maxval)`. */
export const RandomUniform = defineOp<RandomUniformAttrs>({
  name: "RandomUniform",
  api: "randomUniform",
  family: "creation",
  // Values made from attributes or only from an input's shape: no gradient flows through them.
  grad: "none",
  inputs: ["shape"],
  attrInputs: [shapeInput("shape", 0)],
  stateful: true,
  infer: (_inputs, attrs) => [{ shape: dimsOf(attrs.shape, "randomUniform"), dtype: checkUniform(attrs, "randomUniform") }],
});

/** `RandomStandardNormal`, with the mean and standard deviation folded in as attributes. */
export const RandomStandardNormal = defineOp<RandomNormalAttrs>({
  name: "RandomStandardNormal",
  api: "randomNormal",
  family: "creation",
  // Values made from attributes or only from an input's shape: no gradient flows through them.
  grad: "none",
  inputs: ["shape"],
  attrInputs: [shapeInput("shape", 0)],
  stateful: true,
  infer: (_inputs, attrs) => [{ shape: dimsOf(attrs.shape, "randomNormal"), dtype: checkNormal(attrs, "randomNormal") }],
});

/** `TruncatedNormal`: normal values redrawn until within two standard deviations of the mean. */
export const TruncatedNormal = defineOp<RandomNormalAttrs>({
  name: "TruncatedNormal",
  api: "truncatedNormal",
  family: "creation",
  // Values made from attributes or only from an input's shape: no gradient flows through them.
  grad: "none",
  inputs: ["shape"],
  attrInputs: [shapeInput("shape", 0)],
  stateful: true,
  infer: (_inputs, attrs) => [{ shape: dimsOf(attrs.shape, "truncatedNormal"), dtype: checkNormal(attrs, "truncatedNormal") }],
});

/**
 * Values drawn uniformly from `[minval, maxval)`. With a `seed` the values are a pure
 * function of it (the same on every backend and every call); without one each call draws
 * new values. For `int32` the draw is over the integers `minval .. maxval - 1` (like TF;
 * tfjs instead rounds floats, which can return `maxval`), and `maxval` must be given.
 *
 * ```ts
 * tf.randomUniform([2, 3]);                      // float32 in [0, 1)
 * tf.randomUniform([5], 0, 10, "int32", 42);     // five ints in 0..9, reproducible
 * ```
 */
export function randomUniform(shape: ShapeLike, minval = 0, maxval?: number, dtype: DType = "float32", seed?: number): Tensor {
  requireIntMaxval(dtype, maxval, "randomUniform");
  const attrs = { minval, maxval: maxval ?? 1, dtype, seed: seed ?? null };
  checkUniform(attrs as RandomUniformAttrs, "randomUniform");
  return bindRandom(RandomUniform, "randomUniform", shape, attrs);
}

/** Binds a random op with its shape as an attr (JS numbers) or as an attr input (an int32 vector tensor). */
function bindRandom(op: AnyOpDef, api: string, shape: ShapeLike, attrs: object): Tensor {
  const arg = shapeArgument(shape, api);
  if ("tensor" in arg) return bind1(op, [arg.tensor], attrs);
  return bind1(op, [], { ...attrs, shape: [...checkShape(arg.dims, api)] });
}

/**
 * Values drawn from a normal distribution. Seeded calls are reproducible on every backend;
 * unseeded calls draw new values each time. float32 only.
 *
 * ```ts
 * tf.randomNormal([3, 3], 0, 0.05, "float32", 7);
 * ```
 */
export function randomNormal(shape: ShapeLike, mean = 0, stdDev = 1, dtype: DType = "float32", seed?: number): Tensor {
  const attrs = { mean, stdDev, dtype, seed: seed ?? null };
  checkNormal(attrs as RandomNormalAttrs, "randomNormal");
  return bindRandom(RandomStandardNormal, "randomNormal", shape, attrs);
}

/**
 * Normal values, redrawn wherever they fall two or more standard deviations from the mean
 * (TF's `TruncatedNormal`), the usual choice for initializing weights.
 *
 * ```ts
 * tf.truncatedNormal([784, 10], 0, 0.1); // every value in (-0.2, 0.2)
 * ```
 */
export function truncatedNormal(shape: ShapeLike, mean = 0, stdDev = 1, dtype: DType = "float32", seed?: number): Tensor {
  const attrs = { mean, stdDev, dtype, seed: seed ?? null };
  checkNormal(attrs as RandomNormalAttrs, "truncatedNormal");
  return bindRandom(TruncatedNormal, "truncatedNormal", shape, attrs);
}

/** Chainable methods this file adds to Tensor: none (random ops create tensors, like tfjs). */
export const randomMethods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {};
