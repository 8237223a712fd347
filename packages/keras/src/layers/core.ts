/**
 * Core layers: `Dense`, `Activation`, `Dropout`, `Flatten`, `Reshape`, `Permute`,
 * `RepeatVector` and `Lambda` (a layer from a function). Options follow tfjs-layers.
 *
 * ```ts
 * keras.layers.dense({ units: 64, activation: "relu", inputShape: [784] });
 * ```
 */
import * as tf from "@kiln/core";
import { type Activation, type ActivationIdentifier, getActivation, serializeActivation } from "../activations.js";
import { type Constraint, getConstraint } from "../constraints.js";
import { type CallOptions, Layer, type LayerArgs } from "../engine/layer.js";
import { classes, type ConfigDict, type SerializedObject } from "../engine/serialization.js";
import { ConfigError, InputShapeError } from "../errors.js";
import { GlorotUniform, getInitializer, type Initializer, type InitializerIdentifier, Zeros } from "../initializers.js";
import { getRegularizer, type Regularizer } from "../regularizers.js";
import { seedGeneratorFor, type SeedGenerator, uniformNoise } from "../random/seed_generator.js";
import { dimOf, shapeArg } from "../utils/dynamic.js";
import { knownSize, type Shape } from "../utils/shape.js";
import { serializeOptional } from "./config_helpers.js";

type InitArg = Initializer | InitializerIdentifier | SerializedObject;
type RegArg = Regularizer | SerializedObject | string;
type ConstraintArg = Constraint | SerializedObject | string;

/** Options of `dense` (tfjs-layers' `DenseLayerArgs`). */
export interface DenseArgs extends LayerArgs {
  units: number;
  activation?: ActivationIdentifier | Activation;
  useBias?: boolean;
  kernelInitializer?: InitArg;
  biasInitializer?: InitArg;
  kernelRegularizer?: RegArg;
  biasRegularizer?: RegArg;
  kernelConstraint?: ConstraintArg;
  biasConstraint?: ConstraintArg;
  inputDim?: number;
}

/** Applies `activation(x W + b)` over the last axis. */
export class Dense extends Layer {
  static override className = "Dense";
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | undefined;
  readonly biasRegularizer: Regularizer | undefined;
  readonly kernelConstraint: Constraint | undefined;
  readonly biasConstraint: Constraint | undefined;
  kernel: tf.Variable | undefined;
  bias: tf.Variable | undefined;

  constructor(args: DenseArgs) {
    super(
      args.inputDim !== undefined && args.inputShape === undefined && args.batchInputShape === undefined
        ? { ...args, inputShape: [args.inputDim] }
        : args,
    );
    if (!Number.isInteger(args.units) || args.units <= 0)
      throw new ConfigError(`Dense '${this.name}': 'units' must be a positive integer, received ${args.units}`);
    this.units = args.units;
    this.activation = getActivation(args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = getInitializer(args.kernelInitializer, new GlorotUniform());
    this.biasInitializer = getInitializer(args.biasInitializer, new Zeros());
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer);
    this.biasRegularizer = getRegularizer(args.biasRegularizer);
    this.kernelConstraint = getConstraint(args.kernelConstraint);
    this.biasConstraint = getConstraint(args.biasConstraint);
    this.inputSpec = [{ minNdim: 2 }];
    this.supportsMasking = true;
  }

  override build(inputShape: Shape): void {
    const inputDim = inputShape[inputShape.length - 1];
    if (inputDim === null || inputDim === undefined)
      throw new InputShapeError(`Dense '${this.name}': the last input dimension must be known`);
    this.kernel = this.addWeight(
      "kernel",
      [inputDim, this.units],
      undefined,
      this.kernelInitializer,
      this.kernelRegularizer,
      true,
      this.kernelConstraint,
    );
    if (this.useBias)
      this.bias = this.addWeight("bias", [this.units], undefined, this.biasInitializer, this.biasRegularizer, true, this.biasConstraint);
    this.inputSpec = [{ minNdim: 2, axes: { [-1]: inputDim } }];
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = inputs as tf.Tensor;
    let y: tf.Tensor;
    if (x.rank === 2) y = tf.matMul(x, this.kernel!);
    else {
      // Every axis but the last is a batch axis; sizes unknown while tracing (a sequence length) come from tf.shape.
      const inner = x.shape.slice(1, -1);
      const flat = tf.reshape(x, [-1, x.shape[x.rank - 1] as number]);
      const lead = inner.every((d) => d !== null) ? [-1, ...(inner as number[])] : x.shape.slice(0, -1).map((_, i) => dimOf(x, i));
      y = tf.reshape(tf.matMul(flat, this.kernel!), shapeArg([...lead, this.units]));
    }
    if (this.bias !== undefined) y = tf.add(y, this.bias);
    return this.activation.apply(y);
  }

  override computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape.slice(0, -1), this.units];
  }

  override getConfig(): ConfigDict {
    return {
      units: this.units,
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      kernelInitializer: serializeOptional(this.kernelInitializer),
      biasInitializer: serializeOptional(this.biasInitializer),
      kernelRegularizer: serializeOptional(this.kernelRegularizer),
      biasRegularizer: serializeOptional(this.biasRegularizer),
      activityRegularizer: serializeOptional(this.activityRegularizer),
      kernelConstraint: serializeOptional(this.kernelConstraint),
      biasConstraint: serializeOptional(this.biasConstraint),
      ...super.getConfig(),
    };
  }
}

/** Applies an activation function. */
export class Activation_ extends Layer {
  static override className = "Activation";
  readonly activation: Activation;
  constructor(args: LayerArgs & { activation: ActivationIdentifier | Activation }) {
    super(args);
    this.activation = getActivation(args.activation);
    this.supportsMasking = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return this.activation.apply(inputs as tf.Tensor);
  }
  override computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }
  override getConfig(): ConfigDict {
    return { activation: serializeActivation(this.activation), ...super.getConfig() };
  }
}

/**
 * Sets a fraction `rate` of inputs to 0 during training and scales the rest by
 * `1 / (1 - rate)`; a fresh mask on every step, traced or eager. With a `seed` the masks
 * come from a `SeedGenerator` (Keras 3): reproducible, and the same in eager and traced
 * training.
 */
export class Dropout extends Layer {
  static override className = "Dropout";
  readonly rate: number;
  readonly noiseShape: Shape | undefined;
  readonly seed: number | undefined;
  /** The generator of seeded masks (undefined without a `seed`: masks are unseeded draws). */
  readonly seedGenerator: SeedGenerator | undefined;
  constructor(args: LayerArgs & { rate: number; noiseShape?: Shape; seed?: number }) {
    super(args);
    if (!(args.rate >= 0 && args.rate < 1))
      throw new ConfigError(`Dropout '${this.name}': 'rate' must be in [0, 1), received ${args.rate}`);
    this.rate = args.rate;
    this.noiseShape = args.noiseShape ?? undefined;
    this.seed = args.seed ?? undefined;
    this.seedGenerator = seedGeneratorFor(this.seed, this.name);
    this.supportsMasking = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], options: CallOptions = {}): tf.Tensor {
    const x = inputs as tf.Tensor;
    if (options.training !== true || this.rate === 0) return x;
    const dims = this.noiseShape === undefined ? x.shape.map((_, i) => dimOf(x, i)) : this.noiseShape.map((d, i) => d ?? dimOf(x, i));
    const keep = tf.cast(tf.greaterEqual(uniformNoise(shapeArg(dims), this.seedGenerator), this.rate), "float32");
    return tf.mul(x, tf.mul(keep, 1 / (1 - this.rate)));
  }
  override computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }
  override getConfig(): ConfigDict {
    return { rate: this.rate, noiseShape: this.noiseShape ?? null, seed: this.seed ?? null, ...super.getConfig() };
  }
  override dispose(): void {
    super.dispose();
    this.seedGenerator?.dispose();
  }
}

/** Flattens each sample to one dimension: `[batch, ...] -> [batch, product]`. */
export class Flatten extends Layer {
  static override className = "Flatten";
  constructor(args: LayerArgs & { dataFormat?: string } = {}) {
    super(args);
    this.inputSpec = [{ minNdim: 2 }];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = inputs as tf.Tensor;
    return tf.reshape(x, [-1, knownSize(x.shape.slice(1), `Flatten '${this.name}'`)]);
  }
  override computeOutputShape(inputShape: Shape): Shape {
    const rest = inputShape.slice(1);
    return [inputShape[0]!, rest.some((d) => d === null) ? null : rest.reduce<number>((a, b) => a * (b as number), 1)];
  }
}

/** Reshapes each sample to `targetShape` (one entry may be -1). */
export class Reshape extends Layer {
  static override className = "Reshape";
  readonly targetShape: number[];
  constructor(args: LayerArgs & { targetShape: number[] }) {
    super(args);
    if (!Array.isArray(args.targetShape) || args.targetShape.filter((d) => d === -1).length > 1) {
      throw new ConfigError(`Reshape '${this.name}': 'targetShape' must be an array of sizes with at most one -1`);
    }
    this.targetShape = [...args.targetShape];
  }
  private resolved(inputShape: readonly (number | null)[]): number[] {
    const size = knownSize(inputShape.slice(1), `Reshape '${this.name}'`);
    const known = this.targetShape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const target = this.targetShape.map((d) => (d === -1 ? size / known : d));
    if (target.reduce((a, b) => a * b, 1) !== size || target.some((d) => !Number.isInteger(d))) {
      throw new InputShapeError(
        `Reshape '${this.name}': cannot reshape samples of shape [${inputShape.slice(1).join(",")}] (size ${size}) to [${this.targetShape.join(",")}]`,
      );
    }
    return target;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = inputs as tf.Tensor;
    return tf.reshape(x, [-1, ...this.resolved(x.shape)]);
  }
  override computeOutputShape(inputShape: Shape): Shape {
    return [inputShape[0]!, ...this.resolved(inputShape)];
  }
  override getConfig(): ConfigDict {
    return { targetShape: this.targetShape, ...super.getConfig() };
  }
}

/** Permutes the non-batch axes (`dims` counts from 1, like Keras). */
export class Permute extends Layer {
  static override className = "Permute";
  readonly dims: number[];
  constructor(args: LayerArgs & { dims: number[] }) {
    super(args);
    const sorted = [...args.dims].sort((a, b) => a - b);
    if (!sorted.every((d, i) => d === i + 1))
      throw new ConfigError(`Permute '${this.name}': 'dims' must be a permutation of 1..${args.dims.length}, received [${args.dims}]`);
    this.dims = [...args.dims];
    this.inputSpec = [{ ndim: this.dims.length + 1 }];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.transpose(inputs as tf.Tensor, [0, ...this.dims]);
  }
  override computeOutputShape(inputShape: Shape): Shape {
    return [inputShape[0]!, ...this.dims.map((d) => inputShape[d]!)];
  }
  override getConfig(): ConfigDict {
    return { dims: this.dims, ...super.getConfig() };
  }
}

/** Repeats each `[batch, features]` sample `n` times: `[batch, n, features]`. */
export class RepeatVector extends Layer {
  static override className = "RepeatVector";
  readonly n: number;
  constructor(args: LayerArgs & { n: number }) {
    super(args);
    if (!Number.isInteger(args.n) || args.n <= 0) throw new ConfigError(`RepeatVector '${this.name}': 'n' must be a positive integer`);
    this.n = args.n;
    this.inputSpec = [{ ndim: 2 }];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tile(tf.expandDims(inputs as tf.Tensor, 1), [1, this.n, 1]);
  }
  override computeOutputShape(inputShape: Shape): Shape {
    return [inputShape[0]!, this.n, inputShape[1]!];
  }
  override getConfig(): ConfigDict {
    return { n: this.n, ...super.getConfig() };
  }
}

/**
 * A layer from a function of its inputs (Keras's `Lambda`). Its function cannot be saved:
 * for models you save, subclass `Layer` and register the class instead.
 */
export class Lambda extends Layer {
  static override className = "Lambda";
  readonly fn: (inputs: any, options: CallOptions) => tf.Tensor | tf.Tensor[];
  constructor(args: LayerArgs & { fn: (inputs: any, options: CallOptions) => tf.Tensor | tf.Tensor[] }) {
    super(args);
    if (typeof args.fn !== "function") throw new ConfigError(`Lambda '${this.name}': 'fn' must be a function`);
    this.fn = args.fn;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], options: CallOptions = {}): tf.Tensor | tf.Tensor[] {
    return this.fn(inputs, options);
  }
  override getConfig(): ConfigDict {
    throw new ConfigError(
      `Lambda '${this.name}' holds a JS function and cannot be serialized (files never carry code); subclass keras.layers.Layer and keras.registerClass it instead`,
    );
  }
}

for (const cls of [Dense, Activation_, Dropout, Flatten, Reshape, Permute, RepeatVector]) classes.register(cls as never, cls.className);
