/**
 * `StackedRNNCells`: several cells run as one, each feeding its output to the next within a
 * timestep (`keras.layers.rnn({ cell: [cellA, cellB] })` builds one). Its states are the
 * cells' states listed from the last cell to the first, as tfjs-layers lists them, and its
 * weights are named `<rnn>/RNNCell_<i>/...` like tfjs's.
 *
 * ```ts
 * keras.layers.rnn({ cell: keras.layers.stackedRNNCells({ cells: [keras.layers.lstmCell({ units: 8 }), keras.layers.gruCell({ units: 4 })] }) });
 * ```
 */
import * as tf from "@kiln/core";
import type { CallOptions, LayerArgs } from "../../engine/layer.js";
import { type ClassRegistry, classes, type ConfigDict, type SerializedObject } from "../../engine/serialization.js";
import { ConfigError } from "../../errors.js";
import type { Shape } from "../../utils/shape.js";
import { RNNCell, type Stepper, stateSizes } from "./cell.js";

/** Several cells stacked within one timestep. */
export class StackedRNNCells extends RNNCell {
  static override className = "StackedRNNCells";
  readonly cells: RNNCell[];

  constructor(args: LayerArgs & { cells: RNNCell[] }) {
    super(args);
    if (!Array.isArray(args.cells) || args.cells.length === 0 || !args.cells.every((c) => c instanceof RNNCell)) {
      throw new ConfigError(`StackedRNNCells '${this.name}': 'cells' must be a non-empty array of RNN cells`);
    }
    this.cells = [...args.cells];
  }

  get stateSize(): number[] {
    return [...this.cells].reverse().flatMap((c) => stateSizes(c));
  }

  /** The cells' states from the flat list (last cell first), in cell order. */
  private split<T>(states: readonly T[]): T[][] {
    const counts = this.cells.map((c) => stateSizes(c).length);
    const nested: T[][] = [];
    let offset = 0;
    for (let i = this.cells.length - 1; i >= 0; i--) {
      nested[i] = states.slice(offset, offset + counts[i]!);
      offset += counts[i]!;
    }
    return nested;
  }

  /** Per-cell new states back into the flat list (last cell first). */
  private join<T>(nested: readonly T[][]): T[] {
    return [...nested].reverse().flat();
  }

  override build(inputShape: Shape | Shape[]): void {
    let shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const prefix = this.weightPrefix ?? this.name;
    this.cells.forEach((cell, i) => {
      cell.weightPrefix = `${prefix}/RNNCell_${i}`;
      if (!cell.built) {
        tf.initScope(() => cell.build(shape));
        cell.built = true;
      }
      shape = [shape[0]!, stateSizes(cell)[0]!];
    });
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], options: CallOptions = {}): tf.Tensor[] {
    const [x, ...states] = inputs as tf.Tensor[];
    const nested = this.split(states);
    let current = x!;
    const next = this.cells.map((cell, i) => {
      const out = cell.call([current, ...nested[i]!], options) as tf.Tensor[];
      current = out[0]!;
      return out.slice(1);
    });
    return [current, ...this.join(next)];
  }

  /**
   * The first cell's projection runs on every timestep before the loop, as usual; the later
   * cells' inputs exist only inside the step, so they project there (their masks still drawn
   * once per sequence).
   */
  override stepper(like: tf.Tensor, options: { training: boolean }): Stepper {
    const parts = this.cells.map((cell) => cell.stepper(like, options));
    const offsets = parts.map((_, i) => parts.slice(0, i).reduce((n, p) => n + p.params.length, 0));
    const own = (params: readonly tf.Tensor[], i: number) => params.slice(offsets[i], offsets[i]! + parts[i]!.params.length);
    const first = parts[0]!;
    return {
      params: parts.flatMap((p) => p.params),
      variables: parts.flatMap((p) => p.variables),
      ...(first.project === undefined
        ? {}
        : { project: (x: tf.Tensor, params: readonly tf.Tensor[]) => first.project!(x, own(params, 0)) }),
      step: (x, states, params) => {
        const nested = this.split(states);
        let current = x;
        const next = parts.map((part, i) => {
          const p = own(params, i);
          const input = i === 0 || part.project === undefined ? current : part.project(current, p);
          const [out, ns] = part.step(input, nested[i]!, p);
          current = out;
          return ns;
        });
        return [current, this.join(next)];
      },
    };
  }

  override getConfig(): ConfigDict {
    return { ...super.getConfig(), cells: this.cells.map((c) => ({ className: c.getClassName(), config: c.getConfig() })) };
  }

  static override fromConfig(config: ConfigDict, registry: ClassRegistry = classes): StackedRNNCells {
    const cells = ((config.cells ?? []) as unknown as SerializedObject[]).map((c) => registry.deserialize<RNNCell>(c, "layer"));
    const { cells: _cells, ...rest } = config;
    return new StackedRNNCells({ ...(rest as LayerArgs), cells });
  }

  override get trainableWeights(): tf.Variable[] {
    return this.trainable ? this.cells.flatMap((c) => c.trainableWeights) : [];
  }

  override get nonTrainableWeights(): tf.Variable[] {
    return this.trainable ? this.cells.flatMap((c) => c.nonTrainableWeights) : this.cells.flatMap((c) => c.weights);
  }
}
classes.register(StackedRNNCells as never, StackedRNNCells.className);
