/**
 * Reshaping layers for sequences and images: `ZeroPadding1D`/`ZeroPadding2D` (zeros around
 * the steps, or the height and width) and `UpSampling1D`/`UpSampling2D` (nearest-neighbour
 * repetition).
 *
 * ```ts
 * keras.layers.zeroPadding1d({ padding: [1, 2] });
 * keras.layers.zeroPadding2d({ padding: [[1, 1], [2, 2]] });
 * keras.layers.upSampling1d({ size: 3 });
 * keras.layers.upSampling2d({ size: [2, 2] });
 * ```
 */
import * as tf from "@kiln/core";
import { Layer, type LayerArgs } from "../engine/layer.js";
import { classes, type ConfigDict } from "../engine/serialization.js";
import { ConfigError, InputShapeError } from "../errors.js";
import { dimOf, shapeArg } from "../utils/dynamic.js";
import { normalizeTuple, type Shape } from "../utils/shape.js";
import { pairs } from "./cropping.js";

type Padding2D = number | [number, number] | [[number, number], [number, number]];

/** Pads height and width with zeros: `padding` is a size, `[h, w]` or `[[top, bottom], [left, right]]`. */
export class ZeroPadding2D extends Layer {
  static override className = "ZeroPadding2D";
  readonly padding: [[number, number], [number, number]];
  constructor(args: LayerArgs & { padding?: Padding2D; dataFormat?: "channelsLast" } = {}) {
    super(args);
    const p = args.padding ?? 1;
    if (typeof p === "number")
      this.padding = [
        [p, p],
        [p, p],
      ];
    else if (typeof p[0] === "number")
      this.padding = [
        [p[0], p[0]],
        [p[1] as number, p[1] as number],
      ];
    else this.padding = [[...(p[0] as [number, number])], [...(p[1] as [number, number])]];
    if (this.padding.flat().some((v) => !Number.isInteger(v) || v < 0))
      throw new ConfigError(`ZeroPadding2D '${this.name}': padding must be non-negative integers`);
    this.inputSpec = [{ ndim: 4 }];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.pad(inputs as tf.Tensor, [[0, 0], this.padding[0], this.padding[1], [0, 0]]);
  }
  override computeOutputShape(s: Shape): Shape {
    const grow = (d: number | null, [a, b]: [number, number]) => (d === null ? null : d + a + b);
    return [s[0]!, grow(s[1]!, this.padding[0]), grow(s[2]!, this.padding[1]), s[3]!];
  }
  override getConfig(): ConfigDict {
    return { padding: this.padding, dataFormat: "channelsLast", ...super.getConfig() };
  }
}

/** Repeats rows and columns `size` times (nearest neighbour). */
export class UpSampling2D extends Layer {
  static override className = "UpSampling2D";
  readonly size: number[];
  readonly interpolation: "nearest";
  constructor(args: LayerArgs & { size?: number | number[]; interpolation?: "nearest" | "bilinear"; dataFormat?: "channelsLast" } = {}) {
    super(args);
    this.size = normalizeTuple(args.size ?? 2, 2, "size");
    if ((args.interpolation ?? "nearest") !== "nearest")
      throw new ConfigError(`UpSampling2D '${this.name}': only interpolation "nearest" is supported`);
    this.interpolation = "nearest";
    this.inputSpec = [{ ndim: 4 }];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = inputs as tf.Tensor;
    const [, h, w, c] = x.shape;
    if (h === null || w === null || c === null)
      throw new InputShapeError(`UpSampling2D '${this.name}': height, width and channels must be known`);
    const [sh, sw] = this.size as [number, number];
    const expanded = tf.reshape(x, [-1, h!, 1, w!, 1, c!]);
    const tiled = tf.tile(expanded, [1, 1, sh, 1, sw, 1]);
    return tf.reshape(tiled, [-1, h! * sh, w! * sw, c!]);
  }
  override computeOutputShape(s: Shape): Shape {
    return [s[0]!, s[1] === null ? null : s[1]! * this.size[0]!, s[2] === null ? null : s[2]! * this.size[1]!, s[3]!];
  }
  override getConfig(): ConfigDict {
    return { size: this.size, dataFormat: "channelsLast", interpolation: this.interpolation, ...super.getConfig() };
  }
}

/** Pads the steps of `[batch, steps, features]` sequences with zeros: `padding` is a size or `[start, end]`. */
export class ZeroPadding1D extends Layer {
  static override className = "ZeroPadding1D";
  readonly padding: [number, number];
  constructor(args: LayerArgs & { padding?: number | [number, number] } = {}) {
    super(args);
    this.padding = pairs(args.padding, 1, 1, `ZeroPadding1D '${this.name}'`)[0]!;
    this.inputSpec = [{ ndim: 3 }];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.pad(inputs as tf.Tensor, [[0, 0], this.padding, [0, 0]]);
  }
  override computeOutputShape(s: Shape): Shape {
    return [s[0]!, s[1] === null ? null : s[1]! + this.padding[0] + this.padding[1], s[2]!];
  }
  override getConfig(): ConfigDict {
    return { padding: this.padding, ...super.getConfig() };
  }
}

/** Repeats each step `size` times. */
export class UpSampling1D extends Layer {
  static override className = "UpSampling1D";
  readonly size: number;
  constructor(args: LayerArgs & { size?: number } = {}) {
    super(args);
    this.size = args.size ?? 2;
    if (!Number.isInteger(this.size) || this.size < 1)
      throw new ConfigError(`UpSampling1D '${this.name}': 'size' must be a positive integer, received ${args.size}`);
    this.inputSpec = [{ ndim: 3 }];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = inputs as tf.Tensor;
    const repeated = tf.tile(tf.expandDims(x, 2), [1, 1, this.size, 1]);
    const steps = dimOf(x, 1);
    return tf.reshape(
      repeated,
      shapeArg([dimOf(x, 0), typeof steps === "number" ? steps * this.size : tf.mul(steps, this.size), dimOf(x, 2)]),
    );
  }
  override computeOutputShape(s: Shape): Shape {
    return [s[0]!, s[1] === null ? null : s[1]! * this.size, s[2]!];
  }
  override getConfig(): ConfigDict {
    return { size: this.size, ...super.getConfig() };
  }
}

for (const cls of [ZeroPadding2D, UpSampling2D, ZeroPadding1D, UpSampling1D]) classes.register(cls as never, cls.className);
