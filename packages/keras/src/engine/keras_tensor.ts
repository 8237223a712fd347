/**
 * Symbolic tensors of the functional API (Keras's `KerasTensor`): a shape with an unknown
 * batch dimension, a dtype and the history of which layer call produced it. They hold no
 * data; `keras.model({ inputs, outputs })` walks their history to build the model's graph.
 *
 * ```ts
 * const x = keras.input({ shape: [784] });          // KerasTensor, shape [null, 784]
 * const y = keras.layers.dense({ units: 10 }).apply(x) as keras.KerasTensor;
 * y.shape;                                           // [null, 10]
 * ```
 */
import type * as tf from "@kiln/core";
import { formatKerasShape, type Shape } from "../utils/shape.js";
import type { Layer } from "./layer.js";

/** Where a symbolic tensor came from: output `tensorIndex` of call `nodeIndex` of `layer`. */
export interface KerasHistory {
  readonly layer: Layer;
  readonly nodeIndex: number;
  readonly tensorIndex: number;
}

/** A symbolic tensor: shape, dtype and the layer call that made it. */
export class KerasTensor {
  readonly shape: Shape;
  readonly dtype: tf.DType;
  readonly name: string;
  /** Set by the layer call that produced this tensor. */
  history: KerasHistory | undefined;

  constructor(shape: readonly (number | null)[], dtype: tf.DType, name: string) {
    this.shape = [...shape];
    this.dtype = dtype;
    this.name = name;
  }

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `<KerasTensor shape=${formatKerasShape(this.shape)}, dtype=${this.dtype}, name=${this.name}>`;
  }
}

/** Whether a value is a KerasTensor or a non-empty array of them. */
export function isSymbolic(value: unknown): value is KerasTensor | KerasTensor[] {
  if (value instanceof KerasTensor) return true;
  return Array.isArray(value) && value.length > 0 && value.every((v) => v instanceof KerasTensor);
}
