/**
 * The `keras.initializers` namespace: classes, tfjs-layers' factory functions and `get`.
 *
 * ```ts
 * keras.initializers.heNormal({ seed: 7 }).apply([3, 3, 1, 8]);
 * ```
 */
import {
  Constant,
  GlorotNormal,
  GlorotUniform,
  HeNormal,
  HeUniform,
  Identity,
  LeCunNormal,
  LeCunUniform,
  Ones,
  Orthogonal,
  RandomNormal,
  RandomUniform,
  TruncatedNormal,
  VarianceScaling,
  type VarianceScalingArgs,
  Zeros,
} from "./initializers.js";

export * from "./initializers.js";
export { getInitializer as get } from "./initializers.js";

type Seeded = { seed?: number | null };
/** All zeros. */
export const zeros = () => new Zeros();
/** All ones. */
export const ones = () => new Ones();
/** A constant value. */
export const constant = (args: { value: number }) => new Constant(args);
/** Uniform in `[minval, maxval)`. */
export const randomUniform = (args?: { minval?: number; maxval?: number } & Seeded) => new RandomUniform(args);
/** Normal with `mean`, `stddev`. */
export const randomNormal = (args?: { mean?: number; stddev?: number } & Seeded) => new RandomNormal(args);
/** Truncated normal. */
export const truncatedNormal = (args?: { mean?: number; stddev?: number } & Seeded) => new TruncatedNormal(args);
/** Variance scaling. */
export const varianceScaling = (args?: VarianceScalingArgs) => new VarianceScaling(args);
/** Glorot uniform. */
export const glorotUniform = (args?: Seeded) => new GlorotUniform(args);
/** Glorot normal. */
export const glorotNormal = (args?: Seeded) => new GlorotNormal(args);
/** He uniform. */
export const heUniform = (args?: Seeded) => new HeUniform(args);
/** He normal. */
export const heNormal = (args?: Seeded) => new HeNormal(args);
/** LeCun uniform. */
export const leCunUniform = (args?: Seeded) => new LeCunUniform(args);
/** LeCun normal. */
export const leCunNormal = (args?: Seeded) => new LeCunNormal(args);
/** Identity matrix times `gain`. */
export const identity = (args?: { gain?: number }) => new Identity(args);
/** Random orthogonal matrix. */
export const orthogonal = (args?: { gain?: number } & Seeded) => new Orthogonal(args);
