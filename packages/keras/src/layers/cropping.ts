/**
 * `Cropping1D` (`cropping: [start, end]` steps off a `[batch, steps, features]` sequence)
 * and `Cropping2D` (`[[top, bottom], [left, right]]` rows and columns off channels-last
 * images). Unknown lengths while tracing are fine: the end is counted from the end.
 *
 * ```ts
 * keras.layers.cropping1d({ cropping: [1, 2] });
 * keras.layers.cropping2d({ cropping: [[2, 2], [4, 4]] });
 * ```
 */
import * as tf from "@kiln/core";
import { Layer, type LayerArgs } from "../engine/layer.js";
import { classes, type ConfigDict } from "../engine/serialization.js";
import { ConfigError, InputShapeError } from "../errors.js";
import { formatKerasShape, type Shape } from "../utils/shape.js";

/** Normalizes a cropping or padding option: a size, `[a, b]`, or per axis `[[a, b], ...]`. */
export function pairs(value: number | number[] | number[][] | undefined, axes: number, fallback: number, what: string): [number, number][] {
  const v = value ?? fallback;
  let out: [number, number][];
  if (typeof v === "number") out = Array.from({ length: axes }, () => [v, v]);
  else if (axes === 1 && v.length === 2 && typeof v[0] === "number") out = [[v[0], v[1] as number]];
  else if (v.length === axes && v.every((p) => typeof p === "number")) out = (v as number[]).map((p) => [p, p]);
  else if (v.length === axes && v.every((p) => Array.isArray(p) && p.length === 2)) out = (v as number[][]).map((p) => [p[0]!, p[1]!]);
  else
    throw new ConfigError(
      `${what}: expected a number, ${axes === 1 ? "[start, end]" : `${axes} numbers or ${axes} [start, end] pairs`}, received ${JSON.stringify(value)}`,
    );
  if (out.flat().some((n) => !Number.isInteger(n) || n < 0))
    throw new ConfigError(`${what}: sizes must be non-negative integers, received ${JSON.stringify(value)}`);
  return out;
}

/** Crops `cropping[i]` off both ends of spatial axis `i + 1`. */
function crop(x: tf.Tensor, cropping: readonly [number, number][]): tf.Tensor {
  const begin = [0, ...cropping.map(([a]) => a), 0];
  const end = [0, ...cropping.map(([, b]) => -b), 0];
  // An end of 0 means "to the end" (the end mask).
  const endMask = end.reduce((mask, e, i) => (e === 0 ? mask | (1 << i) : mask), 0);
  return tf.stridedSlice(
    x,
    begin,
    end,
    begin.map(() => 1),
    1,
    endMask,
  );
}

function croppedShape(layer: string, shape: Shape, cropping: readonly [number, number][]): Shape {
  return shape.map((d, axis) => {
    if (axis === 0 || axis > cropping.length || d === null) return d;
    const [a, b] = cropping[axis - 1]!;
    if (a + b >= d)
      throw new InputShapeError(
        `${layer}: cropping ${a} + ${b} leaves nothing of axis ${axis} in an input of shape ${formatKerasShape(shape)}`,
      );
    return d - a - b;
  });
}

/** Crops steps off the start and end of sequences. */
export class Cropping1D extends Layer {
  static override className = "Cropping1D";
  readonly cropping: [number, number];
  constructor(args: LayerArgs & { cropping?: number | [number, number] } = {}) {
    super(args);
    this.cropping = pairs(args.cropping, 1, 1, `Cropping1D '${this.name}'`)[0]!;
    this.inputSpec = [{ ndim: 3 }];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = inputs as tf.Tensor;
    croppedShape(`Cropping1D '${this.name}'`, x.shape as Shape, [this.cropping]);
    return crop(x, [this.cropping]);
  }
  override computeOutputShape(inputShape: Shape): Shape {
    return croppedShape(`Cropping1D '${this.name}'`, inputShape, [this.cropping]);
  }
  override getConfig(): ConfigDict {
    return { cropping: this.cropping, ...super.getConfig() };
  }
}

/** Crops rows and columns off the edges of channels-last images. */
export class Cropping2D extends Layer {
  static override className = "Cropping2D";
  readonly cropping: [[number, number], [number, number]];
  constructor(args: LayerArgs & { cropping?: number | number[] | number[][]; dataFormat?: "channelsLast" } = {}) {
    super(args);
    if ((args.dataFormat ?? "channelsLast") !== "channelsLast")
      throw new ConfigError(`Cropping2D '${this.name}': only dataFormat "channelsLast" is supported`);
    this.cropping = pairs(args.cropping, 2, 0, `Cropping2D '${this.name}'`) as [[number, number], [number, number]];
    this.inputSpec = [{ ndim: 4 }];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = inputs as tf.Tensor;
    croppedShape(`Cropping2D '${this.name}'`, x.shape as Shape, this.cropping);
    return crop(x, this.cropping);
  }
  override computeOutputShape(inputShape: Shape): Shape {
    return croppedShape(`Cropping2D '${this.name}'`, inputShape, this.cropping);
  }
  override getConfig(): ConfigDict {
    return { cropping: this.cropping, dataFormat: "channelsLast", ...super.getConfig() };
  }
}

for (const cls of [Cropping1D, Cropping2D]) classes.register(cls as never, cls.className);
