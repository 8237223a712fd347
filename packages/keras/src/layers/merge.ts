/**
 * Merge layers: combine a list of tensors (`Add`, `Subtract`, `Multiply`, `Average`,
 * `Maximum`, `Minimum`, `Concatenate`, `Dot`).
 *
 * ```ts
 * keras.layers.concatenate({ axis: -1 }).apply([a, b]);
 * keras.layers.add().apply([x, shortcut]);
 * ```
 */
import * as tf from "@kiln/core";
import { Layer, type LayerArgs } from "../engine/layer.js";
import type { MaskArg } from "../engine/masking.js";
import { classes, type ConfigDict } from "../engine/serialization.js";
import { ConfigError, InputShapeError } from "../errors.js";
import { positiveAxis, type Shape } from "../utils/shape.js";

function broadcastShapes(layer: string, shapes: Shape[]): Shape {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Shape = [];
  for (let i = 0; i < rank; i++) {
    let dim: number | null = 1;
    for (const s of shapes) {
      const j = s.length - rank + i;
      const d = j >= 0 ? s[j]! : 1;
      if (d === null) dim = dim === 1 ? null : dim;
      else if (d !== 1) {
        if (dim !== 1 && dim !== null && dim !== d)
          throw new InputShapeError(`${layer}: inputs of shapes ${shapes.map((x) => `[${x.join(",")}]`).join(", ")} do not broadcast`);
        dim = d;
      }
    }
    out.push(dim);
  }
  return out;
}

/** Base of the elementwise merges: checks that a list of at least two tensors is given. */
abstract class ElementwiseMerge extends Layer {
  protected abstract merge(inputs: tf.Tensor[]): tf.Tensor;
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length < 2) {
      throw new InputShapeError(`${this.getClassName()} '${this.name}' must be called on a list of at least 2 tensors`);
    }
    return this.merge(inputs);
  }
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shapes = inputShape as Shape[];
    if (!Array.isArray(shapes[0]) || shapes.length < 2)
      throw new InputShapeError(`${this.getClassName()} '${this.name}' must be called on a list of at least 2 tensors`);
    return broadcastShapes(`${this.getClassName()} '${this.name}'`, shapes);
  }
  /** A timestep is kept when every masked input keeps it (Keras's merge mask). */
  override computeMask(_inputs: tf.Tensor | tf.Tensor[], mask?: MaskArg): MaskArg {
    const masks = (Array.isArray(mask) ? mask : [mask]).filter((m): m is tf.Tensor => m !== undefined);
    return masks.length === 0 ? undefined : masks.reduce((a, b) => tf.logicalAnd(a, b));
  }
}

/** Elementwise sum. */
export class Add extends ElementwiseMerge {
  static override className = "Add";
  protected merge(inputs: tf.Tensor[]): tf.Tensor {
    return inputs.reduce((a, b) => tf.add(a, b));
  }
}

/** `inputs[0] - inputs[1]` (exactly two inputs). */
export class Subtract extends ElementwiseMerge {
  static override className = "Subtract";
  protected merge(inputs: tf.Tensor[]): tf.Tensor {
    if (inputs.length !== 2) throw new InputShapeError(`Subtract '${this.name}' takes exactly 2 inputs, received ${inputs.length}`);
    return tf.sub(inputs[0]!, inputs[1]!);
  }
}

/** Elementwise product. */
export class Multiply extends ElementwiseMerge {
  static override className = "Multiply";
  protected merge(inputs: tf.Tensor[]): tf.Tensor {
    return inputs.reduce((a, b) => tf.mul(a, b));
  }
}

/** Elementwise mean. */
export class Average extends ElementwiseMerge {
  static override className = "Average";
  protected merge(inputs: tf.Tensor[]): tf.Tensor {
    return tf.div(
      inputs.reduce((a, b) => tf.add(a, b)),
      inputs.length,
    );
  }
}

/** Elementwise maximum. */
export class Maximum extends ElementwiseMerge {
  static override className = "Maximum";
  protected merge(inputs: tf.Tensor[]): tf.Tensor {
    return inputs.reduce((a, b) => tf.maximum(a, b));
  }
}

/** Elementwise minimum. */
export class Minimum extends ElementwiseMerge {
  static override className = "Minimum";
  protected merge(inputs: tf.Tensor[]): tf.Tensor {
    return inputs.reduce((a, b) => tf.minimum(a, b));
  }
}

/** Concatenation along `axis` (default the last). */
export class Concatenate extends Layer {
  static override className = "Concatenate";
  readonly axis: number;
  constructor(args: LayerArgs & { axis?: number } = {}) {
    super(args);
    this.axis = args.axis ?? -1;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length < 2)
      throw new InputShapeError(`Concatenate '${this.name}' must be called on a list of at least 2 tensors`);
    return tf.concat(inputs, positiveAxis(this.axis, inputs[0]!.rank));
  }
  /**
   * Keras's concatenated mask: each input's mask (all true where it has none), widened to
   * the input's rank, concatenated along `axis` and reduced over the last axis.
   */
  override computeMask(inputs: tf.Tensor | tf.Tensor[], mask?: MaskArg): MaskArg {
    const list = Array.isArray(mask) ? mask : [mask];
    if (!Array.isArray(inputs) || list.every((m) => m === undefined)) return undefined;
    const rank = inputs[0]!.rank;
    const axis = positiveAxis(this.axis, rank);
    const full = inputs.map((x, i) => {
      const m = list[i] ?? tf.onesLike(tf.cast(x, "bool"));
      return m.rank < rank ? tf.expandDims(m, -1) : m;
    });
    if (axis === rank - 1) return full.map((m) => tf.all(m, -1)).reduce((a, b) => tf.logicalAnd(a, b));
    return tf.all(
      tf.concat(
        full.map((m) => tf.cast(m, "bool")),
        axis,
      ),
      -1,
    );
  }
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shapes = inputShape as Shape[];
    const axis = positiveAxis(this.axis, shapes[0]!.length);
    const out = [...shapes[0]!];
    for (const s of shapes.slice(1)) {
      if (s.length !== out.length || s.some((d, i) => i !== axis && d !== null && out[i] !== null && d !== out[i])) {
        throw new InputShapeError(
          `Concatenate '${this.name}': inputs of shapes ${shapes.map((x) => `[${x.join(",")}]`).join(", ")} differ outside axis ${this.axis}`,
        );
      }
      out[axis] = out[axis] === null || s[axis] === null ? null : (out[axis] as number) + (s[axis] as number);
    }
    return out;
  }
  override getConfig(): ConfigDict {
    return { axis: this.axis, ...super.getConfig() };
  }
}

/** Dot product of two batched tensors along `axes` (optionally L2-normalized first: cosine similarity). */
export class Dot extends Layer {
  static override className = "Dot";
  readonly axes: number | [number, number];
  readonly normalize: boolean;
  constructor(args: LayerArgs & { axes: number | [number, number]; normalize?: boolean }) {
    super(args);
    if (args.axes === undefined) throw new ConfigError(`Dot '${this.name}': option 'axes' is required`);
    this.axes = args.axes;
    this.normalize = args.normalize ?? false;
  }
  private resolvedAxes(ranks: [number, number]): [number, number] {
    const [a, b] = typeof this.axes === "number" ? [this.axes, this.axes] : this.axes;
    return [positiveAxis(a, ranks[0]), positiveAxis(b, ranks[1])];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2)
      throw new InputShapeError(`Dot '${this.name}' must be called on a list of exactly 2 tensors`);
    let [x, y] = inputs as [tf.Tensor, tf.Tensor];
    if (x.rank > 3 || y.rank > 3 || x.rank !== y.rank)
      throw new InputShapeError(`Dot '${this.name}': supports two inputs of equal rank 2 or 3`);
    const [ax, ay] = this.resolvedAxes([x.rank, y.rank]);
    if (this.normalize) {
      x = tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), ax, true), 1e-12)));
      y = tf.mul(y, tf.rsqrt(tf.maximum(tf.sum(tf.square(y), ay, true), 1e-12)));
    }
    if (x.rank === 2) return tf.sum(tf.mul(x, y), 1, true);
    // Rank 3: a batched matrix product contracting x's axis ax with y's axis ay.
    return tf.matMul(x, y, ax === 1, ay === 2);
  }
  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [a, b] = inputShape as [Shape, Shape];
    if (a.length === 2) return [a[0]!, 1];
    const [ax, ay] = this.resolvedAxes([a.length, b.length]);
    return [a[0]!, a[ax === 1 ? 2 : 1]!, b[ay === 2 ? 1 : 2]!];
  }
  override getConfig(): ConfigDict {
    return { axes: this.axes, normalize: this.normalize, ...super.getConfig() };
  }
}

for (const cls of [Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot]) classes.register(cls as never, cls.className);
