/**
 * `RNN`: runs a cell over the time axis of `[batch, time, features]` inputs (tfjs-layers'
 * `RNN` and its options). Inside a traced step the time loop is one `While` (see
 * `time_loop.ts`), so sequences of any length, even unknown while tracing, run the same
 * graph; eagerly, or with `unroll`, it is a JS loop. Initial states come from
 * `apply(x, { initialState })` (or a list `[x, ...states]`, which is how saved models pass
 * them), from the layer's state variables when `stateful`, or are zeros. Masks from
 * `masking` or `embedding({ maskZero: true })` skip padded steps.
 *
 * ```ts
 * const rnn = keras.layers.rnn({ cell: keras.layers.lstmCell({ units: 8 }), returnSequences: true });
 * const [out, h, c] = keras.layers.lstm({ units: 8, returnState: true }).apply(x) as tf.Tensor[];
 * ```
 */
import * as tf from "@kiln/core";
import { type CallOptions, Layer, type LayerArgs, type LayerInput, toList } from "../../engine/layer.js";
import type { MaskArg } from "../../engine/masking.js";
import { type ClassRegistry, classes, type ConfigDict, type SerializedObject } from "../../engine/serialization.js";
import { ConfigError, InputShapeError } from "../../errors.js";
import { dimOf, shapeArg } from "../../utils/dynamic.js";
import { formatKerasShape, type Shape } from "../../utils/shape.js";
import { RNNCell, stateSizes } from "./cell.js";
import { StackedRNNCells } from "./stacked_cells.js";
import { runTimeLoop } from "./time_loop.js";

/** Options of the recurrent layers (tfjs-layers' `BaseRNNLayerArgs`). */
export interface BaseRNNArgs extends LayerArgs {
  /** Return the output of every timestep (`[batch, time, units]`) instead of the last one. */
  returnSequences?: boolean;
  /** Also return the final states: `[output, ...states]`. */
  returnState?: boolean;
  /** Process the sequence backwards (and return the outputs in that order). */
  goBackwards?: boolean;
  /** Keep the final states of each batch as the next batch's initial states (needs a fixed batch size). */
  stateful?: boolean;
  /** Unroll the loop into one copy of the step per timestep (needs a known length). */
  unroll?: boolean;
  inputDim?: number;
  inputLength?: number;
}

/** Options of `rnn`: a cell, or a list of cells (stacked). */
export interface RNNArgs extends BaseRNNArgs {
  cell: RNNCell | RNNCell[];
}

/** Call options of recurrent layers. */
export interface RNNCallOptions extends CallOptions {
  /** Initial states (one tensor per state). */
  initialState?: tf.Tensor | tf.Tensor[] | LayerInput;
}

/** The generic recurrent layer. */
export class RNN extends Layer {
  static override className = "RNN";
  readonly cell: RNNCell;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly unroll: boolean;
  /** The states kept between calls when `stateful` (not weights: never saved, as in tfjs). */
  #stateVariables: tf.Variable[] | undefined;

  constructor(args: RNNArgs) {
    const withShape =
      args.inputShape === undefined && args.batchInputShape === undefined && (args.inputDim !== undefined || args.inputLength !== undefined)
        ? { ...args, inputShape: [args.inputLength ?? null, args.inputDim ?? null] }
        : args;
    super(withShape);
    if (args.cell === undefined || args.cell === null)
      throw new ConfigError(`${this.getClassName()} '${this.name}': option 'cell' is required`);
    this.cell = Array.isArray(args.cell) ? new StackedRNNCells({ cells: args.cell }) : args.cell;
    if (!(this.cell instanceof RNNCell))
      throw new ConfigError(
        `${this.getClassName()} '${this.name}': 'cell' must be an RNN cell (keras.layers.lstmCell, ...) or a list of cells`,
      );
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.stateful = args.stateful ?? false;
    this.unroll = args.unroll ?? false;
    this.supportsMasking = true;
    this.inputSpec = [{ ndim: 3 }, ...stateSizes(this.cell).map((size) => ({ ndim: 2, axes: { [-1]: size } }))];
  }

  /** Number of states of the cell. */
  get stateCount(): number {
    return stateSizes(this.cell).length;
  }

  /**
   * Applies the layer; `options.initialState` becomes extra inputs `[x, ...states]`, so a
   * functional model records (and saves) where the states come from.
   */
  override apply(inputs: LayerInput, options: RNNCallOptions = {}): any {
    const { initialState, ...rest } = options;
    if (initialState === undefined || initialState === null) return super.apply(inputs, rest);
    if (Array.isArray(inputs))
      throw new ConfigError(
        `${this.getClassName()} '${this.name}': give initial states either in the input list or as initialState, not both`,
      );
    return super.apply([inputs, ...toList(initialState as tf.Tensor | tf.Tensor[])] as LayerInput, rest);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    if (shape.length !== 3)
      throw new InputShapeError(
        `${this.getClassName()} '${this.name}' expects inputs of rank 3 [batch, time, features], received ${formatKerasShape(shape)}`,
      );
    const features = shape[2];
    if (typeof features === "number") this.inputSpec = [{ ndim: 3, axes: { [-1]: features } }, ...this.inputSpec!.slice(1)];
    this.cell.weightPrefix = this.weightPrefix ?? this.name;
    if (!this.cell.built) {
      this.cell.build([shape[0]!, ...shape.slice(2)]);
      this.cell.built = true;
    }
    if (this.stateful) {
      const batch = shape[0];
      if (typeof batch !== "number") {
        throw new ConfigError(
          `${this.getClassName()} '${this.name}' is stateful, so it needs a fixed batch size: give the first layer batchInputShape (or keras.input({ batchShape }))`,
        );
      }
      this.#stateVariables = stateSizes(this.cell).map(
        (size, i) => new tf.Variable(tf.zeros([batch, size]), { trainable: false, name: `${this.name}/state_${i}` }),
      );
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], options: CallOptions = {}): tf.Tensor | tf.Tensor[] {
    // Eagerly, everything but the results (and what a tape keeps) is freed.
    return tf.tidy(() => this.run(toList(inputs), options));
  }

  private run([x, ...given]: tf.Tensor[], options: CallOptions): tf.Tensor | tf.Tensor[] {
    const training = options.training === true;
    const mask = Array.isArray(options.mask) ? options.mask[0] : options.mask;
    const initial = given.length > 0 ? given : this.initialStates(x!);
    if (initial.length !== this.stateCount) {
      throw new InputShapeError(
        `${this.getClassName()} '${this.name}' has ${this.stateCount} state(s) but received ${initial.length} initial state(s)`,
      );
    }
    const timeMajor = tf.transpose(x!, [1, 0, 2]);
    const result = runTimeLoop(this.cell.recurrence(timeMajor, { training }), initial, {
      goBackwards: this.goBackwards,
      unroll: this.unroll,
      returnSequences: this.returnSequences,
      mask,
      layer: this.name,
    });
    if (this.#stateVariables !== undefined) {
      this.#stateVariables.forEach((v, i) => {
        const assigned = v.assign(result.states[i]!);
        if (tf.executingEagerly()) assigned.dispose();
      });
    }
    const output = this.returnSequences ? result.outputs! : result.lastOutput;
    return this.returnState ? [output, ...result.states] : output;
  }

  /** Zeros, or the kept states when stateful. */
  private initialStates(x: tf.Tensor): tf.Tensor[] {
    if (this.#stateVariables !== undefined) {
      const expected = this.#stateVariables[0]!.shape[0];
      if (x.shape[0] !== null && x.shape[0] !== expected) {
        throw new InputShapeError(
          `${this.getClassName()} '${this.name}' is stateful with batch size ${expected}, received a batch of ${x.shape[0]}; stateful layers need every batch to have that size`,
        );
      }
      return this.#stateVariables.map((v) => v.read());
    }
    return stateSizes(this.cell).map((size) => tf.zeros(shapeArg([dimOf(x, 0), size])));
  }

  /**
   * Resets the kept states of a stateful layer to zeros, or to `states`.
   *
   * ```ts
   * model.layers[0].resetStates(); // before a new, unrelated sequence
   * ```
   */
  resetStates(states?: tf.Tensor | tf.Tensor[]): void {
    if (!this.stateful) throw new ConfigError(`${this.getClassName()} '${this.name}' is not stateful, so it has no states to reset`);
    const vars = this.#stateVariables;
    if (vars === undefined) throw new ConfigError(`${this.getClassName()} '${this.name}' is not built yet; call it on an input first`);
    const values = states === undefined ? undefined : toList(states);
    if (values !== undefined) {
      if (values.length !== vars.length)
        throw new InputShapeError(`${this.getClassName()} '${this.name}' expects ${vars.length} state(s), received ${values.length}`);
      values.forEach((v, i) => {
        const want = vars[i]!.shape;
        if (v.shape.length !== want.length || v.shape.some((d, j) => d !== want[j])) {
          throw new InputShapeError(
            `${this.getClassName()} '${this.name}': state ${i} must have shape ${formatKerasShape(want)}, received ${formatKerasShape(v.shape)}`,
          );
        }
      });
    }
    vars.forEach((v, i) => tf.tidy(() => v.assign(values?.[i] ?? tf.zerosLike(v.read()))));
  }

  /** The kept states of a stateful layer (copies the caller owns). */
  get states(): tf.Tensor[] {
    return (this.#stateVariables ?? []).map((v) => v.read());
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const sizes = stateSizes(this.cell);
    const output = this.returnSequences ? [shape[0]!, shape[1]!, sizes[0]!] : [shape[0]!, sizes[0]!];
    return this.returnState ? [output, ...sizes.map((s) => [shape[0]!, s])] : output;
  }

  override computeMask(_inputs: tf.Tensor | tf.Tensor[], mask?: MaskArg): MaskArg {
    const m = Array.isArray(mask) ? mask[0] : mask;
    const out = this.returnSequences ? m : undefined;
    return this.returnState ? [out, ...Array.from({ length: this.stateCount }, () => undefined)] : out;
  }

  override getConfig(): ConfigDict {
    const config: ConfigDict = {
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: this.stateful,
      unroll: this.unroll,
    };
    if (this.getClassName() === RNN.className) config.cell = { className: this.cell.getClassName(), config: this.cell.getConfig() };
    // The cell's options first, so the layer's name and shape are the ones kept (tfjs's order).
    const { name: _name, trainable: _trainable, ...cellConfig } = this.getClassName() === RNN.className ? {} : this.cell.getConfig();
    return { ...cellConfig, ...super.getConfig(), ...config };
  }

  /** Rebuilds the layer; the generic `RNN` deserializes its `cell`, the built-in layers take their cell's options directly. */
  static override fromConfig(this: new (args: RNNArgs) => RNN, config: ConfigDict, registry: ClassRegistry = classes): Layer {
    if (config.cell === undefined || config.cell === null) return new this(config as unknown as RNNArgs);
    const cell = registry.deserialize<RNNCell>(config.cell as unknown as SerializedObject, "layer");
    return new this({ ...(config as unknown as RNNArgs), cell });
  }

  override dispose(): void {
    for (const v of this.#stateVariables ?? []) v.dispose();
    super.dispose();
  }
}
classes.register(RNN as never, RNN.className);
