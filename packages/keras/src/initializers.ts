/**
 * Weight initializers, named and configured as in tfjs-layers (`glorotUniform`,
 * `heNormal`, `varianceScaling({ scale, mode, distribution })`, ...). `apply(shape, dtype)`
 * returns a fresh eager tensor; layers use it as a variable's initial value, which core
 * always computes eagerly, even when the layer is built inside a traced step.
 *
 * ```ts
 * keras.initializers.heNormal({ seed: 1 }).apply([784, 64]);
 * ```
 */
import * as tf from "@kiln/core";
import { classes, type ConfigDict, type SerializedObject } from "./engine/serialization.js";
import { ConfigError } from "./errors.js";

/** Base class of initializers: `apply(shape, dtype)` makes an initial value. */
export abstract class Initializer {
  /** The registered class name written to configs (tfjs-layers' names). */
  static className: string;
  abstract apply(shape: readonly number[], dtype?: tf.DType): tf.Tensor;
  getConfig(): ConfigDict {
    return {};
  }
  getClassName(): string {
    return (this.constructor as typeof Initializer).className;
  }
}

/** All zeros. */
export class Zeros extends Initializer {
  static override className = "Zeros";
  apply(shape: readonly number[], dtype: tf.DType = "float32"): tf.Tensor {
    return tf.zeros(shape, dtype);
  }
}

/** All ones. */
export class Ones extends Initializer {
  static override className = "Ones";
  apply(shape: readonly number[], dtype: tf.DType = "float32"): tf.Tensor {
    return tf.ones(shape, dtype);
  }
}

/** Every element `value`. */
export class Constant extends Initializer {
  static override className = "Constant";
  readonly value: number;
  constructor(args: { value?: number } = {}) {
    super();
    this.value = args.value ?? 0;
  }
  apply(shape: readonly number[], dtype: tf.DType = "float32"): tf.Tensor {
    return tf.fill(shape, this.value, dtype);
  }
  override getConfig(): ConfigDict {
    return { value: this.value };
  }
}

/** Uniform values in `[minval, maxval)`. */
export class RandomUniform extends Initializer {
  static override className = "RandomUniform";
  readonly minval: number;
  readonly maxval: number;
  readonly seed: number | undefined;
  constructor(args: { minval?: number; maxval?: number; seed?: number | null } = {}) {
    super();
    this.minval = args.minval ?? -0.05;
    this.maxval = args.maxval ?? 0.05;
    this.seed = args.seed ?? undefined;
  }
  apply(shape: readonly number[], dtype: tf.DType = "float32"): tf.Tensor {
    return tf.randomUniform(shape, this.minval, this.maxval, dtype, this.seed);
  }
  override getConfig(): ConfigDict {
    return { minval: this.minval, maxval: this.maxval, seed: this.seed ?? null };
  }
}

/** Normal values with `mean` and `stddev`. */
export class RandomNormal extends Initializer {
  static override className = "RandomNormal";
  readonly mean: number;
  readonly stddev: number;
  readonly seed: number | undefined;
  constructor(args: { mean?: number; stddev?: number; seed?: number | null } = {}) {
    super();
    this.mean = args.mean ?? 0;
    this.stddev = args.stddev ?? 0.05;
    this.seed = args.seed ?? undefined;
  }
  apply(shape: readonly number[], dtype: tf.DType = "float32"): tf.Tensor {
    return tf.randomNormal(shape, this.mean, this.stddev, dtype, this.seed);
  }
  override getConfig(): ConfigDict {
    return { mean: this.mean, stddev: this.stddev, seed: this.seed ?? null };
  }
}

/** Normal values redrawn beyond two standard deviations. */
export class TruncatedNormal extends RandomNormal {
  static override className = "TruncatedNormal";
  override apply(shape: readonly number[], dtype: tf.DType = "float32"): tf.Tensor {
    return tf.truncatedNormal(shape, this.mean, this.stddev, dtype, this.seed);
  }
}

/** `[fanIn, fanOut]` of a weight shape: dense `[in, out]`, convolution `[...window, in, out]`. */
export function computeFans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2]! * receptive, shape[shape.length - 1]! * receptive];
}

/** Options of `varianceScaling` (tfjs-layers' names). */
export interface VarianceScalingArgs {
  scale?: number;
  mode?: "fanIn" | "fanOut" | "fanAvg";
  distribution?: "normal" | "uniform" | "truncatedNormal";
  seed?: number | null;
}

/** Values scaled to the weight's fan-in/out: the family behind glorot, he and lecun. */
export class VarianceScaling extends Initializer {
  static override className = "VarianceScaling";
  readonly scale: number;
  readonly mode: "fanIn" | "fanOut" | "fanAvg";
  readonly distribution: "normal" | "uniform" | "truncatedNormal";
  readonly seed: number | undefined;
  constructor(args: VarianceScalingArgs = {}) {
    super();
    this.scale = args.scale ?? 1;
    this.mode = args.mode ?? "fanIn";
    this.distribution = args.distribution ?? "normal";
    this.seed = args.seed ?? undefined;
    if (!(this.scale > 0)) throw new ConfigError(`varianceScaling: 'scale' must be positive, received ${this.scale}`);
    if (!["fanIn", "fanOut", "fanAvg"].includes(this.mode)) throw new ConfigError(`varianceScaling: unknown mode '${this.mode}'`);
    if (!["normal", "uniform", "truncatedNormal"].includes(this.distribution)) {
      throw new ConfigError(`varianceScaling: unknown distribution '${this.distribution}'`);
    }
  }
  apply(shape: readonly number[], dtype: tf.DType = "float32"): tf.Tensor {
    const [fanIn, fanOut] = computeFans(shape);
    const fan = this.mode === "fanIn" ? fanIn : this.mode === "fanOut" ? fanOut : (fanIn + fanOut) / 2;
    const scale = this.scale / Math.max(1, fan);
    if (this.distribution === "uniform") {
      const limit = Math.sqrt(3 * scale);
      return tf.randomUniform(shape, -limit, limit, dtype, this.seed);
    }
    // tfjs-layers' "normal" is a truncated normal with stddev sqrt(scale); Keras 3's
    // "truncatedNormal" corrects the stddev for the truncation.
    const stddev = this.distribution === "normal" ? Math.sqrt(scale) : Math.sqrt(scale) / 0.8796256610342398;
    return tf.truncatedNormal(shape, 0, stddev, dtype, this.seed);
  }
  override getConfig(): ConfigDict {
    return { scale: this.scale, mode: this.mode, distribution: this.distribution, seed: this.seed ?? null };
  }
}

function preset(className: string, scale: number, mode: VarianceScalingArgs["mode"], distribution: VarianceScalingArgs["distribution"]) {
  return class extends VarianceScaling {
    static override className = className;
    constructor(args: { seed?: number | null } = {}) {
      super({ scale, mode, distribution, seed: args.seed ?? null });
    }
    override getConfig(): ConfigDict {
      return { seed: this.seed ?? null };
    }
  };
}

/** Glorot (Xavier) uniform: limit `sqrt(6 / (fanIn + fanOut))`. */
export const GlorotUniform = preset("GlorotUniform", 1, "fanAvg", "uniform");
/** Glorot (Xavier) normal. */
export const GlorotNormal = preset("GlorotNormal", 1, "fanAvg", "normal");
/** He uniform: limit `sqrt(6 / fanIn)`, for relu layers. */
export const HeUniform = preset("HeUniform", 2, "fanIn", "uniform");
/** He normal. */
export const HeNormal = preset("HeNormal", 2, "fanIn", "normal");
/** LeCun uniform, for selu layers. */
export const LeCunUniform = preset("LeCunUniform", 1, "fanIn", "uniform");
/** LeCun normal. */
export const LeCunNormal = preset("LeCunNormal", 1, "fanIn", "normal");

/** The identity matrix times `gain` (2-D square shapes only). */
export class Identity extends Initializer {
  static override className = "Identity";
  readonly gain: number;
  constructor(args: { gain?: number } = {}) {
    super();
    this.gain = args.gain ?? 1;
  }
  apply(shape: readonly number[], dtype: tf.DType = "float32"): tf.Tensor {
    if (shape.length !== 2 || shape[0] !== shape[1]) {
      throw new ConfigError(`identity initializer: needs a square 2-D shape, received [${shape.join(", ")}]`);
    }
    return tf.tidy(() => tf.cast(tf.mul(tf.eye(shape[0]!), this.gain), dtype));
  }
  override getConfig(): ConfigDict {
    return { gain: this.gain };
  }
}

/** A random orthogonal matrix (Gram-Schmidt of normal draws) times `gain`, reshaped to the weight's shape. */
export class Orthogonal extends Initializer {
  static override className = "Orthogonal";
  readonly gain: number;
  readonly seed: number | undefined;
  constructor(args: { gain?: number; seed?: number | null } = {}) {
    super();
    this.gain = args.gain ?? 1;
    this.seed = args.seed ?? undefined;
  }
  apply(shape: readonly number[], dtype: tf.DType = "float32"): tf.Tensor {
    if (shape.length < 2) throw new ConfigError(`orthogonal initializer: needs a shape of rank 2 or more, received [${shape.join(", ")}]`);
    const cols = shape[shape.length - 1]!;
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const [n, m] = rows < cols ? [cols, rows] : [rows, cols];
    const draws = tf.randomNormal([m, n], 0, 1, "float32", this.seed);
    const a = draws.dataSync();
    draws.dispose();
    // Orthonormalize m vectors of length n (rows of a), then lay them out as [rows, cols].
    const q = new Float32Array(m * n);
    for (let i = 0; i < m; i++) {
      const v = Float64Array.from(a.subarray(i * n, (i + 1) * n));
      for (let j = 0; j < i; j++) {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += v[k]! * q[j * n + k]!;
        for (let k = 0; k < n; k++) v[k]! -= dot * q[j * n + k]!;
      }
      const norm = Math.hypot(...v) || 1;
      for (let k = 0; k < n; k++) q[i * n + k] = (v[k]! / norm) * this.gain;
    }
    return tf.tidy(() => {
      const basis = tf.tensor(q, [m, n]);
      const matrix = rows < cols ? basis : tf.transpose(basis);
      return tf.cast(tf.reshape(matrix, shape), dtype);
    });
  }
  override getConfig(): ConfigDict {
    return { gain: this.gain, seed: this.seed ?? null };
  }
}

const BUILT_INS = [
  Zeros,
  Ones,
  Constant,
  RandomUniform,
  RandomNormal,
  TruncatedNormal,
  VarianceScaling,
  GlorotUniform,
  GlorotNormal,
  HeUniform,
  HeNormal,
  LeCunUniform,
  LeCunNormal,
  Identity,
  Orthogonal,
];
for (const cls of BUILT_INS) classes.register(cls as never, cls.className);

/** Initializer names accepted as strings (tfjs-layers' identifiers). */
export type InitializerIdentifier =
  | "zeros"
  | "ones"
  | "glorotUniform"
  | "glorotNormal"
  | "heUniform"
  | "heNormal"
  | "leCunUniform"
  | "leCunNormal"
  | "randomUniform"
  | "randomNormal"
  | "truncatedNormal"
  | "varianceScaling"
  | "identity"
  | "orthogonal";

/**
 * Resolves an initializer from a name (`"heNormal"`), a serialized `{ className, config }`
 * or an instance (returned as is).
 *
 * ```ts
 * keras.initializers.get("glorotUniform").apply([3, 4]);
 * ```
 */
export function getInitializer(
  identifier: InitializerIdentifier | Initializer | SerializedObject | string | null | undefined,
  fallback: Initializer,
): Initializer {
  if (identifier === null || identifier === undefined) return fallback;
  if (identifier instanceof Initializer) return identifier;
  if (typeof identifier === "string") {
    const className = identifier.charAt(0).toUpperCase() + identifier.slice(1);
    const name = className === "LecunNormal" ? "LeCunNormal" : className === "LecunUniform" ? "LeCunUniform" : className;
    if (!classes.has(name)) throw new ConfigError(`Unknown initializer '${identifier}'`);
    return classes.deserialize<Initializer>({ className: name, config: {} }, "initializer");
  }
  return classes.deserialize<Initializer>(identifier, "initializer");
}
