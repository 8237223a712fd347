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
/**
 * All zeros.
 *
 * ```ts
 * keras.initializers.zeros().apply([2, 3])
 * ```
 */
export const zeros = () => new Zeros();
/**
 * All ones.
 *
 * ```ts
 * keras.initializers.ones().apply([3])
 * ```
 */
export const ones = () => new Ones();
/**
 * A constant value.
 *
 * ```ts
 * keras.initializers.constant({ value: 0.1 })
 * ```
 */
export const constant = (args: { value: number }) => new Constant(args);
/**
 * Uniform in `[minval, maxval)`.
 *
 * ```ts
 * keras.initializers.randomUniform({ minval: -1, maxval: 1, seed: 1 })
 * ```
 */
export const randomUniform = (args?: { minval?: number; maxval?: number } & Seeded) => new RandomUniform(args);
/**
 * Normal with `mean`, `stddev`.
 *
 * ```ts
 * keras.initializers.randomNormal({ stddev: 0.02 })
 * ```
 */
export const randomNormal = (args?: { mean?: number; stddev?: number } & Seeded) => new RandomNormal(args);
/**
 * Truncated normal.
 *
 * ```ts
 * keras.initializers.truncatedNormal({ stddev: 0.02 })
 * ```
 */
export const truncatedNormal = (args?: { mean?: number; stddev?: number } & Seeded) => new TruncatedNormal(args);
/**
 * Variance scaling.
 *
 * ```ts
 * keras.initializers.varianceScaling({ scale: 2, mode: "fanIn" })
 * ```
 */
export const varianceScaling = (args?: VarianceScalingArgs) => new VarianceScaling(args);
/**
 * Glorot uniform.
 *
 * ```ts
 * keras.initializers.glorotUniform({ seed: 1 })
 * ```
 */
export const glorotUniform = (args?: Seeded) => new GlorotUniform(args);
/**
 * Glorot normal.
 *
 * ```ts
 * keras.initializers.glorotNormal()
 * ```
 */
export const glorotNormal = (args?: Seeded) => new GlorotNormal(args);
/**
 * He uniform.
 *
 * ```ts
 * keras.initializers.heUniform()
 * ```
 */
export const heUniform = (args?: Seeded) => new HeUniform(args);
/**
 * He normal.
 *
 * ```ts
 * keras.initializers.heNormal({ seed: 7 })
 * ```
 */
export const heNormal = (args?: Seeded) => new HeNormal(args);
/**
 * LeCun uniform.
 *
 * ```ts
 * keras.initializers.leCunUniform()
 * ```
 */
export const leCunUniform = (args?: Seeded) => new LeCunUniform(args);
/**
 * LeCun normal.
 *
 * ```ts
 * keras.initializers.leCunNormal()
 * ```
 */
export const leCunNormal = (args?: Seeded) => new LeCunNormal(args);
/**
 * Identity matrix times `gain`.
 *
 * ```ts
 * keras.initializers.identity({ gain: 0.5 }).apply([3, 3])
 * ```
 */
export const identity = (args?: { gain?: number }) => new Identity(args);
/**
 * Random orthogonal matrix.
 *
 * ```ts
 * keras.initializers.orthogonal({ seed: 2 })
 * ```
 */
export const orthogonal = (args?: { gain?: number } & Seeded) => new Orthogonal(args);
