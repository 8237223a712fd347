/**
 * Pooling layers: `MaxPooling1D/2D`, `AveragePooling1D/2D` (window `poolSize`, `strides`
 * defaulting to the pool size, `padding`) and the global poolings over all spatial axes.
 *
 * ```ts
 * keras.layers.maxPooling2d({ poolSize: 2 });
 * keras.layers.globalAveragePooling2d({});
 * ```
 */
import * as tf from "@kiln/core";
import { Layer, type LayerArgs } from "../engine/layer.js";
import { classes, type ConfigDict } from "../engine/serialization.js";
import { ConfigError } from "../errors.js";
import { convOutputLength, normalizeTuple, type Shape } from "../utils/shape.js";

/** Options of the windowed pooling layers. */
export interface PoolingArgs extends LayerArgs {
  poolSize?: number | number[];
  strides?: number | number[] | null;
  padding?: "valid" | "same";
  dataFormat?: "channelsLast";
}

abstract class Pooling extends Layer {
  readonly spatialRank: number;
  readonly poolSize: number[];
  readonly strides: number[];
  readonly padding: "valid" | "same";
  constructor(spatialRank: number, args: PoolingArgs) {
    super(args);
    this.spatialRank = spatialRank;
    this.poolSize = normalizeTuple(args.poolSize ?? 2, spatialRank, "poolSize");
    this.strides = normalizeTuple(args.strides ?? this.poolSize, spatialRank, "strides");
    this.padding = args.padding ?? "valid";
    if (this.padding !== "valid" && this.padding !== "same")
      throw new ConfigError(`${this.getClassName()} '${this.name}': padding must be "valid" or "same"`);
    this.inputSpec = [{ ndim: spatialRank + 2 }];
  }
  protected abstract pool(x: tf.Tensor, size: [number, number], strides: [number, number]): tf.Tensor;
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = inputs as tf.Tensor;
    if (this.spatialRank === 2) return this.pool(x, this.poolSize as [number, number], this.strides as [number, number]);
    return tf.squeeze(this.pool(tf.expandDims(x, 1), [1, this.poolSize[0]!], [1, this.strides[0]!]), 1);
  }
  override computeOutputShape(inputShape: Shape): Shape {
    const spatial = inputShape.slice(1, -1).map((d, i) => convOutputLength(d, this.poolSize[i]!, this.padding, this.strides[i]!));
    return [inputShape[0]!, ...spatial, inputShape[inputShape.length - 1]!];
  }
  override getConfig(): ConfigDict {
    const single = this.spatialRank === 1;
    return {
      poolSize: single ? [this.poolSize[0]!] : this.poolSize,
      padding: this.padding,
      strides: single ? [this.strides[0]!] : this.strides,
      ...(single ? {} : { dataFormat: "channelsLast" }),
      ...super.getConfig(),
    };
  }
}

function maxPool(x: tf.Tensor, size: [number, number], strides: [number, number], padding: "valid" | "same"): tf.Tensor {
  return tf.maxPool(x, size, strides, padding);
}

function avgPool(x: tf.Tensor, size: [number, number], strides: [number, number], padding: "valid" | "same"): tf.Tensor {
  return tf.avgPool(x, size, strides, padding);
}

/** Max over `poolSize` windows of `[batch, steps, channels]`. */
export class MaxPooling1D extends Pooling {
  static override className = "MaxPooling1D";
  constructor(args: PoolingArgs = {}) {
    super(1, args);
  }
  protected pool(x: tf.Tensor, size: [number, number], strides: [number, number]): tf.Tensor {
    return maxPool(x, size, strides, this.padding);
  }
}

/** Max over `poolSize` windows of `[batch, height, width, channels]`. */
export class MaxPooling2D extends Pooling {
  static override className = "MaxPooling2D";
  constructor(args: PoolingArgs = {}) {
    super(2, args);
  }
  protected pool(x: tf.Tensor, size: [number, number], strides: [number, number]): tf.Tensor {
    return maxPool(x, size, strides, this.padding);
  }
}

/** Mean over `poolSize` windows of `[batch, steps, channels]`. */
export class AveragePooling1D extends Pooling {
  static override className = "AveragePooling1D";
  constructor(args: PoolingArgs = {}) {
    super(1, args);
  }
  protected pool(x: tf.Tensor, size: [number, number], strides: [number, number]): tf.Tensor {
    return avgPool(x, size, strides, this.padding);
  }
}

/** Mean over `poolSize` windows of `[batch, height, width, channels]`. */
export class AveragePooling2D extends Pooling {
  static override className = "AveragePooling2D";
  constructor(args: PoolingArgs = {}) {
    super(2, args);
  }
  protected pool(x: tf.Tensor, size: [number, number], strides: [number, number]): tf.Tensor {
    return avgPool(x, size, strides, this.padding);
  }
}

abstract class GlobalPooling extends Layer {
  readonly spatialRank: number;
  constructor(spatialRank: number, args: LayerArgs & { dataFormat?: "channelsLast" }) {
    super(args);
    this.spatialRank = spatialRank;
    this.inputSpec = [{ ndim: spatialRank + 2 }];
  }
  protected get axes(): number[] {
    return Array.from({ length: this.spatialRank }, (_, i) => i + 1);
  }
  override computeOutputShape(inputShape: Shape): Shape {
    return [inputShape[0]!, inputShape[inputShape.length - 1]!];
  }
  override getConfig(): ConfigDict {
    return { ...(this.spatialRank === 2 ? { dataFormat: "channelsLast" } : {}), ...super.getConfig() };
  }
}

/** Mean over the steps axis: `[batch, steps, channels] -> [batch, channels]`. */
export class GlobalAveragePooling1D extends GlobalPooling {
  static override className = "GlobalAveragePooling1D";
  constructor(args: LayerArgs = {}) {
    super(1, args);
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.mean(inputs as tf.Tensor, this.axes);
  }
}

/** Mean over height and width: `[batch, h, w, channels] -> [batch, channels]`. */
export class GlobalAveragePooling2D extends GlobalPooling {
  static override className = "GlobalAveragePooling2D";
  constructor(args: LayerArgs = {}) {
    super(2, args);
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.mean(inputs as tf.Tensor, this.axes);
  }
}

/** Max over the steps axis. */
export class GlobalMaxPooling1D extends GlobalPooling {
  static override className = "GlobalMaxPooling1D";
  constructor(args: LayerArgs = {}) {
    super(1, args);
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.max(inputs as tf.Tensor, this.axes);
  }
}

/** Max over height and width. */
export class GlobalMaxPooling2D extends GlobalPooling {
  static override className = "GlobalMaxPooling2D";
  constructor(args: LayerArgs = {}) {
    super(2, args);
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.max(inputs as tf.Tensor, this.axes);
  }
}

for (const cls of [
  MaxPooling1D,
  MaxPooling2D,
  AveragePooling1D,
  AveragePooling2D,
  GlobalAveragePooling1D,
  GlobalAveragePooling2D,
  GlobalMaxPooling1D,
  GlobalMaxPooling2D,
]) {
  classes.register(cls as never, cls.className);
}
