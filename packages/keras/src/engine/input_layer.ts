/**
 * The input of a functional model: `keras.input({ shape })` makes an `InputLayer` and
 * returns its symbolic output, the `KerasTensor` the rest of the model is built from.
 *
 * ```ts
 * const x = keras.input({ shape: [28, 28, 1], name: "image" }); // shape [null, 28, 28, 1]
 * ```
 */
import type * as tf from "@kiln/core";
import { ConfigError } from "../errors.js";
import type { Shape } from "../utils/shape.js";
import { KerasTensor } from "./keras_tensor.js";
import { Layer } from "./layer.js";
import { names } from "./naming.js";
import { Node } from "./node.js";
import { classes, type ConfigDict } from "./serialization.js";

/** Options of `keras.input` / `new InputLayer` (tfjs-layers' `InputConfig`). */
export interface InputArgs {
  /** Shape of one sample, without the batch dimension. */
  shape?: Shape;
  /** Shape with the batch dimension. */
  batchShape?: Shape;
  batchInputShape?: Shape;
  inputShape?: Shape;
  batchSize?: number;
  dtype?: tf.DType;
  name?: string;
  sparse?: boolean;
}

/** A layer with no inputs whose one output is the model input. */
export class InputLayer extends Layer {
  static override className = "InputLayer";
  readonly output: KerasTensor;

  constructor(args: InputArgs = {}) {
    const sample = args.shape ?? args.inputShape;
    const batchShape = args.batchShape ?? args.batchInputShape ?? (sample === undefined ? undefined : [args.batchSize ?? null, ...sample]);
    if (batchShape === undefined) throw new ConfigError("InputLayer: give 'shape' (one sample's shape) or 'batchShape'");
    super({ name: args.name ?? names.unique("input"), dtype: args.dtype ?? "float32", batchInputShape: batchShape });
    this.built = true;
    this.output = new KerasTensor(batchShape, this.dtype, this.name);
    this.output.history = { layer: this, nodeIndex: 0, tensorIndex: 0 };
    this.inboundNodes.push(new Node(this, [], [this.output]));
  }

  override getConfig(): ConfigDict {
    return { batchInputShape: this.batchInputShape!, dtype: this.dtype, sparse: false, name: this.name };
  }

  static override fromConfig(config: ConfigDict): Layer {
    return new InputLayer(config as InputArgs);
  }
}
classes.register(InputLayer as never, "InputLayer");

/**
 * A symbolic model input (tfjs's `tf.input`, Keras's `keras.Input`).
 *
 * ```ts
 * const x = keras.input({ shape: [784] });
 * const model = keras.model({ inputs: x, outputs: keras.layers.dense({ units: 10 }).apply(x) });
 * ```
 */
export function input(args: InputArgs): KerasTensor {
  return new InputLayer(args).output;
}
