/**
 * Layer factories with tfjs-layers' names (`keras.layers.dense({ units })`, ...) and the
 * layer classes, for subclassing (`class Scale extends keras.layers.Layer`).
 *
 * ```ts
 * const model = keras.sequential({ layers: [keras.layers.flatten({ inputShape: [28, 28] }), keras.layers.dense({ units: 10 })] });
 * ```
 */
import type { Activation as ActivationFn, ActivationIdentifier } from "../activations.js";
import { InputLayer, type InputArgs } from "../engine/input_layer.js";
import type { CallOptions, LayerArgs } from "../engine/layer.js";
import type * as tf from "@kiln/core";
import type { Shape } from "../utils/shape.js";
import { Conv1D, Conv2D, type ConvArgs } from "./convolutional.js";
import { Activation_, Dense, type DenseArgs, Dropout, Flatten, Lambda, Permute, RepeatVector, Reshape } from "./core.js";
import { Embedding, type EmbeddingArgs } from "./embedding.js";
import { Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract } from "./merge.js";
import { BatchNormalization, type BatchNormalizationArgs, LayerNormalization } from "./normalization.js";
import {
  AveragePooling1D,
  AveragePooling2D,
  GlobalAveragePooling1D,
  GlobalAveragePooling2D,
  GlobalMaxPooling1D,
  GlobalMaxPooling2D,
  MaxPooling1D,
  MaxPooling2D,
  type PoolingArgs,
} from "./pooling.js";
import { UpSampling2D, ZeroPadding2D } from "./reshaping.js";

export { Layer, type LayerArgs, type CallOptions } from "../engine/layer.js";
export { InputLayer } from "../engine/input_layer.js";
export { Dense, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda, Activation_ as Activation } from "./core.js";
export { Conv1D, Conv2D } from "./convolutional.js";
export * from "./pooling.js";
export { BatchNormalization, LayerNormalization } from "./normalization.js";
export { Embedding } from "./embedding.js";
export { Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot } from "./merge.js";
export { ZeroPadding2D, UpSampling2D } from "./reshaping.js";
export type { DenseArgs, ConvArgs, PoolingArgs, BatchNormalizationArgs, EmbeddingArgs, InputArgs };

/** A fully connected layer. */
export const dense = (args: DenseArgs) => new Dense(args);
/** Applies an activation function. */
export const activation = (args: LayerArgs & { activation: ActivationIdentifier | ActivationFn }) => new Activation_(args);
/** Randomly zeroes inputs during training. */
export const dropout = (args: LayerArgs & { rate: number; noiseShape?: Shape; seed?: number }) => new Dropout(args);
/** Flattens each sample. */
export const flatten = (args?: LayerArgs) => new Flatten(args);
/** Reshapes each sample. */
export const reshape = (args: LayerArgs & { targetShape: number[] }) => new Reshape(args);
/** Permutes the non-batch axes. */
export const permute = (args: LayerArgs & { dims: number[] }) => new Permute(args);
/** Repeats each sample `n` times. */
export const repeatVector = (args: LayerArgs & { n: number }) => new RepeatVector(args);
/** A layer from a function (not serializable). */
export const lambda = (args: LayerArgs & { fn: (inputs: any, options: CallOptions) => tf.Tensor | tf.Tensor[] }) => new Lambda(args);
/** 1-D convolution. */
export const conv1d = (args: ConvArgs) => new Conv1D(args);
/** 2-D convolution. */
export const conv2d = (args: ConvArgs) => new Conv2D(args);
/** 1-D max pooling. */
export const maxPooling1d = (args?: PoolingArgs) => new MaxPooling1D(args);
/** 2-D max pooling. */
export const maxPooling2d = (args?: PoolingArgs) => new MaxPooling2D(args);
/** 1-D average pooling. */
export const averagePooling1d = (args?: PoolingArgs) => new AveragePooling1D(args);
/** 2-D average pooling. */
export const averagePooling2d = (args?: PoolingArgs) => new AveragePooling2D(args);
/** tfjs's alias of `maxPooling2d`. */
export const maxPool2d = maxPooling2d;
/** tfjs's alias of `averagePooling2d`. */
export const avgPool2d = averagePooling2d;
/** Mean over steps. */
export const globalAveragePooling1d = (args?: LayerArgs) => new GlobalAveragePooling1D(args);
/** Mean over height and width. */
export const globalAveragePooling2d = (args?: LayerArgs) => new GlobalAveragePooling2D(args);
/** Max over steps. */
export const globalMaxPooling1d = (args?: LayerArgs) => new GlobalMaxPooling1D(args);
/** Max over height and width. */
export const globalMaxPooling2d = (args?: LayerArgs) => new GlobalMaxPooling2D(args);
/** Batch normalization. */
export const batchNormalization = (args?: BatchNormalizationArgs) => new BatchNormalization(args);
/** Layer normalization. */
export const layerNormalization = (args?: ConstructorParameters<typeof LayerNormalization>[0]) => new LayerNormalization(args);
/** Integer ids to vectors. */
export const embedding = (args: EmbeddingArgs) => new Embedding(args);
/** Concatenation of a list of tensors. */
export const concatenate = (args?: LayerArgs & { axis?: number }) => new Concatenate(args);
/** Elementwise sum of a list of tensors. */
export const add = (args?: LayerArgs) => new Add(args);
/** Elementwise difference of two tensors. */
export const subtract = (args?: LayerArgs) => new Subtract(args);
/** Elementwise product of a list of tensors. */
export const multiply = (args?: LayerArgs) => new Multiply(args);
/** Elementwise mean of a list of tensors. */
export const average = (args?: LayerArgs) => new Average(args);
/** Elementwise maximum of a list of tensors. */
export const maximum = (args?: LayerArgs) => new Maximum(args);
/** Elementwise minimum of a list of tensors. */
export const minimum = (args?: LayerArgs) => new Minimum(args);
/** Dot product of two tensors along `axes`. */
export const dot = (args: LayerArgs & { axes: number | [number, number]; normalize?: boolean }) => new Dot(args);
/** Zero padding around images. */
export const zeroPadding2d = (args?: ConstructorParameters<typeof ZeroPadding2D>[0]) => new ZeroPadding2D(args);
/** Nearest-neighbour upsampling of images. */
export const upSampling2d = (args?: ConstructorParameters<typeof UpSampling2D>[0]) => new UpSampling2D(args);
/** An input layer (use `keras.input` for the symbolic tensor). */
export const inputLayer = (args: InputArgs) => new InputLayer(args);
