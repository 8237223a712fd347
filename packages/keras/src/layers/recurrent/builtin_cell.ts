/**
 * What the built-in cells (`simpleRNNCell`, `lstmCell`, `gruCell`) share: tfjs-layers'
 * options and defaults (`tanh`, `hardSigmoid` gates, Glorot-normal kernels, orthogonal
 * recurrent kernels), the input projection done once for every timestep, and the dropout
 * masks Keras draws once per sequence (inputs and recurrent state, in training only).
 * A cell supplies its recurrent parameters and `cellStep`, the part of a step that depends
 * on the previous state.
 *
 * ```ts
 * keras.layers.lstmCell({ units: 8, recurrentDropout: 0.1 });
 * ```
 */
import * as tf from "@kiln/core";
import { type Activation, type ActivationIdentifier, getActivation, serializeActivation } from "../../activations.js";
import { type Constraint, getConstraint } from "../../constraints.js";
import type { CallOptions, LayerArgs } from "../../engine/layer.js";
import type { ConfigDict, SerializedObject } from "../../engine/serialization.js";
import { ConfigError, InputShapeError } from "../../errors.js";
import { GlorotNormal, getInitializer, type Initializer, type InitializerIdentifier, Orthogonal, Zeros } from "../../initializers.js";
import { getRegularizer, type Regularizer } from "../../regularizers.js";
import { seedGeneratorFor, type SeedGenerator } from "../../random/seed_generator.js";
import { dimOf, dropoutMask, shapeArg } from "../../utils/dynamic.js";
import type { Shape } from "../../utils/shape.js";
import { serializeOptional } from "../config_helpers.js";
import { RNNCell, type Stepper } from "./cell.js";

type InitArg = Initializer | InitializerIdentifier | SerializedObject;
type RegArg = Regularizer | SerializedObject | string;
type ConstraintArg = Constraint | SerializedObject | string;

/** Options of the built-in cells and of the `simpleRNN`/`lstm`/`gru` layers (tfjs-layers' names). */
export interface RecurrentCellArgs extends LayerArgs {
  units: number;
  activation?: ActivationIdentifier | Activation;
  /** Gate activation (LSTM, GRU). */
  recurrentActivation?: ActivationIdentifier | Activation;
  useBias?: boolean;
  kernelInitializer?: InitArg;
  recurrentInitializer?: InitArg;
  biasInitializer?: InitArg;
  kernelRegularizer?: RegArg;
  recurrentRegularizer?: RegArg;
  biasRegularizer?: RegArg;
  kernelConstraint?: ConstraintArg;
  recurrentConstraint?: ConstraintArg;
  biasConstraint?: ConstraintArg;
  /** Fraction of the inputs' units dropped in training (one mask per sequence). */
  dropout?: number;
  /** Fraction of the recurrent state's units dropped in training (one mask per sequence). */
  recurrentDropout?: number;
  /** Kept for configs; Kiln always runs the fused form. */
  implementation?: number | null;
  /**
   * Seed of the dropout masks (Keras 3's `seed`): with one, the masks come from a
   * `SeedGenerator`, so runs repeat and eager and traced training draw the same masks.
   */
  seed?: number | null;
}

/** The per-sequence dropout masks of one run (undefined outside training or at rate 0). */
export interface CellMasks {
  readonly input: tf.Tensor | undefined;
  readonly recurrent: tf.Tensor | undefined;
}

/**
 * An initializer option: tfjs-layers 4.22 writes its `Orthogonal` initializer without a
 * class name (`{ config: { gain, seed } }`), so a nameless object means the default class.
 */
function initializerArg(value: InitArg | null | undefined, fallback: Initializer): Initializer {
  if (value !== null && typeof value === "object" && !("apply" in value) && (value as Partial<SerializedObject>).className === undefined) {
    const config = ((value as { config?: ConfigDict }).config ?? {}) as ConfigDict;
    return getInitializer({ className: fallback.getClassName(), config }, fallback);
  }
  return getInitializer(value, fallback);
}

function rate(value: number | undefined, name: string, layer: string): number {
  const r = value ?? 0;
  if (!(r >= 0 && r < 1)) throw new ConfigError(`${layer}: '${name}' must be in [0, 1), received ${value}`);
  return r;
}

/** Shared state and helpers of the built-in cells. */
export abstract class BuiltinCell extends RNNCell {
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly recurrentInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | undefined;
  readonly recurrentRegularizer: Regularizer | undefined;
  readonly biasRegularizer: Regularizer | undefined;
  readonly kernelConstraint: Constraint | undefined;
  readonly recurrentConstraint: Constraint | undefined;
  readonly biasConstraint: Constraint | undefined;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly implementation: number | null;
  readonly seed: number | null;
  /** The generator of seeded dropout masks (undefined without a `seed`: unseeded draws). */
  readonly seedGenerator: SeedGenerator | undefined;
  kernel: tf.Variable | undefined;
  recurrentKernel: tf.Variable | undefined;
  bias: tf.Variable | undefined;

  constructor(args: RecurrentCellArgs) {
    super(args);
    const what = `${this.getClassName()} '${this.name}'`;
    if (!Number.isInteger(args.units) || args.units <= 0)
      throw new ConfigError(`${what}: 'units' must be a positive integer, received ${args.units}`);
    this.units = args.units;
    this.activation = getActivation(args.activation === undefined ? "tanh" : args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = initializerArg(args.kernelInitializer, new GlorotNormal());
    this.recurrentInitializer = initializerArg(args.recurrentInitializer, new Orthogonal());
    this.biasInitializer = initializerArg(args.biasInitializer, new Zeros());
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer);
    this.recurrentRegularizer = getRegularizer(args.recurrentRegularizer);
    this.biasRegularizer = getRegularizer(args.biasRegularizer);
    this.kernelConstraint = getConstraint(args.kernelConstraint);
    this.recurrentConstraint = getConstraint(args.recurrentConstraint);
    this.biasConstraint = getConstraint(args.biasConstraint);
    this.dropout = rate(args.dropout, "dropout", what);
    this.recurrentDropout = rate(args.recurrentDropout, "recurrentDropout", what);
    this.implementation = args.implementation ?? null;
    this.seed = args.seed ?? null;
    this.seedGenerator = seedGeneratorFor(this.seed, this.name);
  }

  /** Units per gate block: 1 (SimpleRNN), 4 (LSTM), 3 (GRU). */
  protected abstract get gates(): number;

  /** The recurrent parameters a step reads (weights read once, before the loop). */
  protected abstract recurrentParams(): tf.Tensor[];

  /** The bias added to the input projection, if any. */
  protected inputBias(): tf.Tensor | undefined {
    return this.bias?.read();
  }

  /** The part of one step that depends on the previous state: projected input `x`, states and recurrent params. */
  protected abstract cellStep(
    x: tf.Tensor,
    states: readonly tf.Tensor[],
    params: readonly tf.Tensor[],
    recurrentMask: tf.Tensor | undefined,
  ): [tf.Tensor, tf.Tensor[]];

  /**
   * For cells whose step is `finishStep(x + (h * mask) · recurrentKernel, states)` (see
   * `LinearStep`): the elementwise rest of the step. Absent for other cells (GRU).
   */
  protected finishStep?(z: tf.Tensor, states: readonly tf.Tensor[]): [tf.Tensor, tf.Tensor[]];

  /** Creates `kernel`, `recurrent_kernel` and (with `useBias`) `bias`. */
  protected buildWeights(inputShape: Shape | Shape[], biasShape: number[], biasInitializer: Initializer = this.biasInitializer): void {
    // Called on [input, ...states], the input's shape is the first.
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const inputDim = shape[shape.length - 1];
    if (typeof inputDim !== "number")
      throw new InputShapeError(`${this.getClassName()} '${this.name}': the input's last dimension must be known`);
    const width = this.units * this.gates;
    this.kernel = this.addWeight(
      "kernel",
      [inputDim, width],
      undefined,
      this.kernelInitializer,
      this.kernelRegularizer,
      true,
      this.kernelConstraint,
    );
    this.recurrentKernel = this.addWeight(
      "recurrent_kernel",
      [this.units, width],
      undefined,
      this.recurrentInitializer,
      this.recurrentRegularizer,
      true,
      this.recurrentConstraint,
    );
    if (this.useBias)
      this.bias = this.addWeight("bias", biasShape, undefined, biasInitializer, this.biasRegularizer, true, this.biasConstraint);
    this.built = true;
  }

  /** Draws the sequence's dropout masks for `batch` rows (training only). */
  protected masks(batch: number | tf.Tensor, features: number, training: boolean): CellMasks {
    return {
      input: training && this.dropout > 0 ? dropoutMask([batch, features], this.dropout, this.seedGenerator) : undefined,
      recurrent: training && this.recurrentDropout > 0 ? dropoutMask([batch, this.units], this.recurrentDropout, this.seedGenerator) : undefined,
    };
  }

  /** `(x * mask) · kernel + bias` over the last axis of `x` (any rank). */
  protected project(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | undefined, mask: tf.Tensor | undefined): tf.Tensor {
    const features = x.shape[x.rank - 1] as number;
    const input = mask === undefined ? x : tf.mul(x, mask);
    let y = tf.matMul(x.rank === 2 ? input : tf.reshape(input, [-1, features]), kernel);
    if (bias !== undefined) y = tf.add(y, bias);
    if (x.rank === 2) return y;
    const lead = Array.from({ length: x.rank - 1 }, (_, i) => dimOf(x, i));
    return tf.reshape(y, shapeArg([...lead, this.units * this.gates]));
  }

  /**
   * Params `[kernel, bias?, ...recurrent params]`; `project` is `(x * dropout) · kernel + bias`
   * (run on every timestep at once by the loop), `step` the state-dependent rest.
   */
  override stepper(like: tf.Tensor, { training }: { training: boolean }): Stepper {
    const masks = this.masks(dimOf(like, 1), this.kernel!.shape[0] as number, training);
    const bias = this.inputBias();
    const head = bias === undefined ? [this.kernel!.read()] : [this.kernel!.read(), bias];
    const finish = this.finishStep;
    return {
      params: [...head, ...this.recurrentParams()],
      variables: [],
      project: (x, params) => this.project(x, params[0]!, bias === undefined ? undefined : params[1], masks.input),
      step: (x, states, params) => this.cellStep(x, states, params.slice(head.length), masks.recurrent),
      ...(finish === undefined ? {} : { linear: { kernel: head.length, mask: masks.recurrent, finish: (z, states) => finish.call(this, z, states) } }),
    };
  }

  /** One step, for `call([input, ...states])`: the same computation the layers loop over. */
  override call(inputs: tf.Tensor | tf.Tensor[], options: CallOptions = {}): tf.Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const [x, ...states] = list;
    if (x === undefined || states.length !== this.stateCount) {
      throw new InputShapeError(
        `${this.getClassName()} '${this.name}' expects [input, ${this.stateCount} state(s)], received ${list.length} tensor(s)`,
      );
    }
    const stepper = this.stepper(tf.expandDims(x, 0), { training: options.training === true });
    const [out, next] = stepper.step(stepper.project!(x, stepper.params), states, stepper.params);
    return [out, ...next];
  }

  /** Number of states. */
  protected get stateCount(): number {
    return Array.isArray(this.stateSize) ? this.stateSize.length : 1;
  }

  override getConfig(): ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      kernelInitializer: serializeOptional(this.kernelInitializer),
      recurrentInitializer: serializeOptional(this.recurrentInitializer),
      biasInitializer: serializeOptional(this.biasInitializer),
      kernelRegularizer: serializeOptional(this.kernelRegularizer),
      recurrentRegularizer: serializeOptional(this.recurrentRegularizer),
      biasRegularizer: serializeOptional(this.biasRegularizer),
      activityRegularizer: serializeOptional(this.activityRegularizer),
      kernelConstraint: serializeOptional(this.kernelConstraint),
      recurrentConstraint: serializeOptional(this.recurrentConstraint),
      biasConstraint: serializeOptional(this.biasConstraint),
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      // Only when set: tfjs-layers' configs have no seed.
      ...(this.seed === null ? {} : { seed: this.seed }),
    };
  }

  override dispose(): void {
    super.dispose();
    this.seedGenerator?.dispose();
  }
}

/** A gated cell's gate activation (default tfjs-layers' `hardSigmoid`). */
export function gateActivation(value: ActivationIdentifier | Activation | undefined): Activation {
  return getActivation(value === undefined ? "hardSigmoid" : value, "recurrentActivation");
}
