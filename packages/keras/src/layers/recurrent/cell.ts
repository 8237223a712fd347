/**
 * RNN cells: the computation of one timestep, `[input, ...states] -> [output, ...newStates]`
 * (tfjs-layers' cell protocol), which the `rnn` wrapper runs over a sequence. A cell also
 * describes how to run a whole sequence efficiently (`recurrence`): work that does not
 * depend on the previous state (the input projection, dropout masks) is done once for every
 * timestep before the loop, and the step itself reads only what must be recomputed. Custom
 * cells need only `stateSize` and `call`:
 *
 * ```ts
 * class MinimalCell extends keras.layers.RNNCell {
 *   static override className = "MinimalCell";
 *   readonly stateSize = [4];
 *   kernel!: tf.Variable;
 *   override build(shape: keras.Shape) { this.kernel = this.addWeight("kernel", [shape.at(-1)!, 4]); }
 *   override call([x, h]: tf.Tensor[]) { const y = tf.tanh(tf.add(tf.matMul(x, this.kernel), h)); return [y, y]; }
 * }
 * keras.layers.rnn({ cell: new MinimalCell() });
 * ```
 */
import type * as tf from "@kiln/core";
import { type CallOptions, Layer, toList } from "../../engine/layer.js";
import { ConfigError } from "../../errors.js";

/**
 * A sequence prepared for the time loop. `inputs` is time-major (`[time, batch, ...]`).
 * `project`, when present, is the work on an input that does not depend on the states (the
 * input projection and its dropout): the loop applies it to every timestep at once before
 * stepping, and a backward pass replays it one timestep at a time. `step` computes one
 * timestep from a projected input, the states and `params`; `params` are the tensors both
 * read that need gradients (weights read once before the loop), `variables` those read
 * directly from variables (custom cells).
 */
export interface Recurrence {
  readonly inputs: tf.Tensor;
  readonly params: readonly tf.Tensor[];
  readonly variables: readonly tf.Variable[];
  project?(inputs: tf.Tensor, params: readonly tf.Tensor[]): tf.Tensor;
  step(input: tf.Tensor, states: readonly tf.Tensor[], params: readonly tf.Tensor[]): [tf.Tensor, tf.Tensor[]];
  /** Present when `step` is a product with the first state followed by elementwise work (see `LinearStep`). */
  readonly linear?: LinearStep;
}

/**
 * How a step splits when it is `finish(x + (h * mask) · params[kernel], states)`, `h` the
 * first state and `finish` free of products (SimpleRNN, LSTM): `step` must compute exactly
 * that. Backpropagation through time then replays only `finish` per step and does the
 * products with the recurrent kernel itself, the kernel's gradient once for all steps.
 *
 * ```ts
 * const z = tf.add(x, tf.matMul(h, params[linear.kernel]));
 * const [out, next] = linear.finish(z, states);
 * ```
 */
export interface LinearStep {
  /** Index of the recurrent kernel in `params`. */
  readonly kernel: number;
  /** The recurrent dropout mask applied to `h` before the product (`[batch, units]`), if any. */
  readonly mask: tf.Tensor | undefined;
  finish(z: tf.Tensor, states: readonly tf.Tensor[]): [tf.Tensor, tf.Tensor[]];
}

/**
 * A cell's recurrence without its inputs, for sequences shaped like a given one (what a cell
 * stacked on another runs, since its inputs exist only inside the loop).
 */
export type Stepper = Omit<Recurrence, "inputs">;

/** Base class of RNN cells (tfjs-layers' `RNNCell`). */
export abstract class RNNCell extends Layer {
  /** Size of each state (the first is the output size), one number per state. */
  abstract get stateSize(): number | number[];

  /**
   * One timestep: `inputs` is `[input, ...states]`; returns `[output, ...newStates]`.
   * Built-in cells implement it through `recurrence`, so both give the same numbers.
   */
  abstract override call(inputs: tf.Tensor | tf.Tensor[], options?: CallOptions): tf.Tensor[];

  /** The loop's view of this cell for time-major `inputs` (`[time, batch, features]`). */
  recurrence(inputs: tf.Tensor, options: { training: boolean }): Recurrence {
    return { inputs, ...this.stepper(inputs, options) };
  }

  /**
   * The cell for a sequence shaped like `like` (`[time, batch, ...]`), with what is drawn
   * once per sequence (dropout masks) drawn. The default runs `call` at each step and lets
   * gradients reach the trainable weights; built-in cells project their inputs separately.
   */
  stepper(_like: tf.Tensor, options: { training: boolean }): Stepper {
    return {
      params: [],
      variables: this.trainableWeights,
      step: (x, states) => {
        const out = toList(this.call([x, ...states], { training: options.training }));
        return [out[0]!, out.slice(1)];
      },
    };
  }
}

/** A cell's state sizes as a list. */
export function stateSizes(cell: { readonly stateSize: number | number[]; readonly name: string }): number[] {
  const size = cell.stateSize;
  const list = Array.isArray(size) ? [...size] : [size];
  if (list.length === 0 || list.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new ConfigError(
      `RNN cell '${cell.name}': stateSize must be a positive integer or a list of them, received ${JSON.stringify(size)}`,
    );
  }
  return list;
}
