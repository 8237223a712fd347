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
import { UpSampling1D, UpSampling2D, ZeroPadding1D, ZeroPadding2D } from "./reshaping.js";
import { Masking } from "./masking.js";
import { Conv1DTranspose, Conv2DTranspose, type ConvTransposeArgs } from "./conv_transpose.js";
import { Cropping1D, Cropping2D } from "./cropping.js";
import { DepthwiseConv2D, type DepthwiseConv2DArgs, SeparableConv2D, type SeparableConv2DArgs } from "./depthwise_conv.js";
import { AlphaDropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D } from "./noise.js";
import { Normalization, type NormalizationArgs, Rescaling } from "./preprocessing.js";
import { ELU, LeakyReLU, PReLU, type PReLUArgs, ReLU, Softmax, ThresholdedReLU } from "./activation_layers.js";
import { AdditiveAttention, Attention, type BaseAttentionArgs } from "./attention/attention.js";
import { EinsumDense, type EinsumDenseArgs } from "./attention/einsum_dense.js";
import { MultiHeadAttention, type MultiHeadAttentionArgs } from "./attention/multi_head_attention.js";
import { Bidirectional, type BidirectionalMergeMode, TimeDistributed, type WrapperArgs } from "./wrappers.js";
import type { RNNCell } from "./recurrent/cell.js";
import { GRUCell, type GRUCellArgs } from "./recurrent/gru_cell.js";
import { GRU, type GRUArgs, LSTM, type LSTMArgs, SimpleRNN, type SimpleRNNArgs } from "./recurrent/layers.js";
import { LSTMCell, type LSTMCellArgs } from "./recurrent/lstm_cell.js";
import { RNN, type RNNArgs } from "./recurrent/rnn.js";
import type { RecurrentCellArgs } from "./recurrent/builtin_cell.js";
import { SimpleRNNCell } from "./recurrent/simple_rnn_cell.js";
import { StackedRNNCells } from "./recurrent/stacked_cells.js";

export { Layer, type LayerArgs, type CallOptions } from "../engine/layer.js";
export { InputLayer } from "../engine/input_layer.js";
export { Dense, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda, Activation_ as Activation } from "./core.js";
export { Conv1D, Conv2D } from "./convolutional.js";
export * from "./pooling.js";
export { BatchNormalization, LayerNormalization } from "./normalization.js";
export { Embedding } from "./embedding.js";
export { Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot } from "./merge.js";
export { ZeroPadding1D, ZeroPadding2D, UpSampling1D, UpSampling2D } from "./reshaping.js";
export { Conv2DTranspose, Conv1DTranspose, type ConvTransposeArgs } from "./conv_transpose.js";
export { DepthwiseConv2D, SeparableConv2D, type DepthwiseConv2DArgs, type SeparableConv2DArgs } from "./depthwise_conv.js";
export { Cropping1D, Cropping2D } from "./cropping.js";
export { GaussianNoise, GaussianDropout, AlphaDropout, SpatialDropout1D, SpatialDropout2D } from "./noise.js";
export { Rescaling, Normalization, type NormalizationArgs } from "./preprocessing.js";
export { Masking } from "./masking.js";
export { ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax, type PReLUArgs } from "./activation_layers.js";
export { Attention, AdditiveAttention, type AttentionCallOptions, type BaseAttentionArgs } from "./attention/attention.js";
export { EinsumDense, type EinsumDenseArgs } from "./attention/einsum_dense.js";
export { MultiHeadAttention, type MultiHeadAttentionArgs, type MultiHeadAttentionCallOptions } from "./attention/multi_head_attention.js";
export { Bidirectional, TimeDistributed, type BidirectionalMergeMode, type WrapperArgs } from "./wrappers.js";
export { RNNCell, type Recurrence, type Stepper } from "./recurrent/cell.js";
export { SimpleRNNCell } from "./recurrent/simple_rnn_cell.js";
export { LSTMCell } from "./recurrent/lstm_cell.js";
export { GRUCell } from "./recurrent/gru_cell.js";
export { StackedRNNCells } from "./recurrent/stacked_cells.js";
export { RNN, type BaseRNNArgs, type RNNCallOptions } from "./recurrent/rnn.js";
export { SimpleRNN, LSTM, GRU } from "./recurrent/layers.js";
export type { RNNArgs, SimpleRNNArgs, LSTMArgs, GRUArgs, RecurrentCellArgs, LSTMCellArgs, GRUCellArgs };
export type { DenseArgs, ConvArgs, PoolingArgs, BatchNormalizationArgs, EmbeddingArgs, InputArgs };

/**
 * A fully connected layer.
 *
 * ```ts
 * keras.layers.dense({ units: 8, activation: "relu" })
 * ```
 */
export const dense = (args: DenseArgs) => new Dense(args);
/**
 * Applies an activation function.
 *
 * ```ts
 * keras.layers.activation({ activation: "softmax" })
 * ```
 */
export const activation = (args: LayerArgs & { activation: ActivationIdentifier | ActivationFn }) => new Activation_(args);
/**
 * Randomly zeroes inputs during training.
 *
 * ```ts
 * keras.layers.dropout({ rate: 0.2 })
 * ```
 */
export const dropout = (args: LayerArgs & { rate: number; noiseShape?: Shape; seed?: number }) => new Dropout(args);
/**
 * Flattens each sample.
 *
 * ```ts
 * keras.layers.flatten()
 * ```
 */
export const flatten = (args?: LayerArgs) => new Flatten(args);
/**
 * Reshapes each sample.
 *
 * ```ts
 * keras.layers.reshape({ targetShape: [4, -1] })
 * ```
 */
export const reshape = (args: LayerArgs & { targetShape: number[] }) => new Reshape(args);
/**
 * Permutes the non-batch axes.
 *
 * ```ts
 * keras.layers.permute({ dims: [2, 1] })
 * ```
 */
export const permute = (args: LayerArgs & { dims: number[] }) => new Permute(args);
/**
 * Repeats each sample `n` times.
 *
 * ```ts
 * keras.layers.repeatVector({ n: 3 })
 * ```
 */
export const repeatVector = (args: LayerArgs & { n: number }) => new RepeatVector(args);
/**
 * A layer from a function (not serializable).
 *
 * ```ts
 * keras.layers.lambda({ fn: (x) => tf.mul(x, 2) })
 * ```
 */
export const lambda = (args: LayerArgs & { fn: (inputs: any, options: CallOptions) => tf.Tensor | tf.Tensor[] }) => new Lambda(args);
/**
 * 1-D convolution.
 *
 * ```ts
 * keras.layers.conv1d({ filters: 16, kernelSize: 3, padding: "causal" })
 * ```
 */
export const conv1d = (args: ConvArgs) => new Conv1D(args);
/**
 * 2-D convolution.
 *
 * ```ts
 * keras.layers.conv2d({ filters: 32, kernelSize: 3, activation: "relu" })
 * ```
 */
export const conv2d = (args: ConvArgs) => new Conv2D(args);
/**
 * 1-D max pooling.
 *
 * ```ts
 * keras.layers.maxPooling1d({ poolSize: 2 })
 * ```
 */
export const maxPooling1d = (args?: PoolingArgs) => new MaxPooling1D(args);
/**
 * 2-D max pooling.
 *
 * ```ts
 * keras.layers.maxPooling2d({ poolSize: 2 })
 * ```
 */
export const maxPooling2d = (args?: PoolingArgs) => new MaxPooling2D(args);
/**
 * 1-D average pooling.
 *
 * ```ts
 * keras.layers.averagePooling1d({ poolSize: 2 })
 * ```
 */
export const averagePooling1d = (args?: PoolingArgs) => new AveragePooling1D(args);
/**
 * 2-D average pooling.
 *
 * ```ts
 * keras.layers.averagePooling2d({ poolSize: [2, 2] })
 * ```
 */
export const averagePooling2d = (args?: PoolingArgs) => new AveragePooling2D(args);
/** tfjs's alias of `maxPooling2d`. */
export const maxPool2d = maxPooling2d;
/** tfjs's alias of `averagePooling2d`. */
export const avgPool2d = averagePooling2d;
/**
 * Mean over steps.
 *
 * ```ts
 * keras.layers.globalAveragePooling1d()
 * ```
 */
export const globalAveragePooling1d = (args?: LayerArgs) => new GlobalAveragePooling1D(args);
/**
 * Mean over height and width.
 *
 * ```ts
 * keras.layers.globalAveragePooling2d()
 * ```
 */
export const globalAveragePooling2d = (args?: LayerArgs) => new GlobalAveragePooling2D(args);
/**
 * Max over steps.
 *
 * ```ts
 * keras.layers.globalMaxPooling1d()
 * ```
 */
export const globalMaxPooling1d = (args?: LayerArgs) => new GlobalMaxPooling1D(args);
/**
 * Max over height and width.
 *
 * ```ts
 * keras.layers.globalMaxPooling2d()
 * ```
 */
export const globalMaxPooling2d = (args?: LayerArgs) => new GlobalMaxPooling2D(args);
/**
 * Batch normalization.
 *
 * ```ts
 * keras.layers.batchNormalization({ momentum: 0.9 })
 * ```
 */
export const batchNormalization = (args?: BatchNormalizationArgs) => new BatchNormalization(args);
/**
 * Layer normalization.
 *
 * ```ts
 * keras.layers.layerNormalization({ epsilon: 1e-5 })
 * ```
 */
export const layerNormalization = (args?: ConstructorParameters<typeof LayerNormalization>[0]) => new LayerNormalization(args);
/**
 * Integer ids to vectors.
 *
 * ```ts
 * keras.layers.embedding({ inputDim: 1000, outputDim: 16 })
 * ```
 */
export const embedding = (args: EmbeddingArgs) => new Embedding(args);
/**
 * Concatenation of a list of tensors.
 *
 * ```ts
 * keras.layers.concatenate().apply([a, b])
 * ```
 */
export const concatenate = (args?: LayerArgs & { axis?: number }) => new Concatenate(args);
/**
 * Elementwise sum of a list of tensors.
 *
 * ```ts
 * keras.layers.add().apply([x, shortcut])
 * ```
 */
export const add = (args?: LayerArgs) => new Add(args);
/**
 * Elementwise difference of two tensors.
 *
 * ```ts
 * keras.layers.subtract().apply([a, b])
 * ```
 */
export const subtract = (args?: LayerArgs) => new Subtract(args);
/**
 * Elementwise product of a list of tensors.
 *
 * ```ts
 * keras.layers.multiply().apply([a, gate])
 * ```
 */
export const multiply = (args?: LayerArgs) => new Multiply(args);
/**
 * Elementwise mean of a list of tensors.
 *
 * ```ts
 * keras.layers.average().apply([a, b])
 * ```
 */
export const average = (args?: LayerArgs) => new Average(args);
/**
 * Elementwise maximum of a list of tensors.
 *
 * ```ts
 * keras.layers.maximum().apply([a, b])
 * ```
 */
export const maximum = (args?: LayerArgs) => new Maximum(args);
/**
 * Elementwise minimum of a list of tensors.
 *
 * ```ts
 * keras.layers.minimum().apply([a, b])
 * ```
 */
export const minimum = (args?: LayerArgs) => new Minimum(args);
/**
 * Dot product of two tensors along `axes`.
 *
 * ```ts
 * keras.layers.dot({ axes: 1, normalize: true }).apply([a, b])
 * ```
 */
export const dot = (args: LayerArgs & { axes: number | [number, number]; normalize?: boolean }) => new Dot(args);
/**
 * Zero padding around images.
 *
 * ```ts
 * keras.layers.zeroPadding2d({ padding: 1 })
 * ```
 */
export const zeroPadding2d = (args?: ConstructorParameters<typeof ZeroPadding2D>[0]) => new ZeroPadding2D(args);
/**
 * Nearest-neighbour upsampling of images.
 *
 * ```ts
 * keras.layers.upSampling2d({ size: [2, 2] })
 * ```
 */
export const upSampling2d = (args?: ConstructorParameters<typeof UpSampling2D>[0]) => new UpSampling2D(args);
/**
 * An input layer (use `keras.input` for the symbolic tensor).
 *
 * ```ts
 * keras.layers.inputLayer({ inputShape: [784] })
 * ```
 */
export const inputLayer = (args: InputArgs) => new InputLayer(args);
/**
 * Masks timesteps whose features all equal `maskValue` (later layers skip them).
 *
 * ```ts
 * keras.layers.masking({ maskValue: 0, inputShape: [null, 8] })
 * ```
 */
export const masking = (args?: ConstructorParameters<typeof Masking>[0]) => new Masking(args);
/**
 * A recurrent layer over any cell (or a list of cells, stacked).
 *
 * ```ts
 * keras.layers.rnn({ cell: [keras.layers.lstmCell({ units: 8 }), keras.layers.lstmCell({ units: 4 })] })
 * ```
 */
export const rnn = (args: RNNArgs) => new RNN(args);
/**
 * A fully connected recurrent layer.
 *
 * ```ts
 * keras.layers.simpleRNN({ units: 16, returnSequences: true })
 * ```
 */
export const simpleRNN = (args: SimpleRNNArgs) => new SimpleRNN(args);
/**
 * A long short-term memory layer (one traced While over time).
 *
 * ```ts
 * keras.layers.lstm({ units: 64, inputShape: [null, 32] })
 * ```
 */
export const lstm = (args: LSTMArgs) => new LSTM(args);
/**
 * A gated recurrent unit layer.
 *
 * ```ts
 * keras.layers.gru({ units: 32, returnState: true })
 * ```
 */
export const gru = (args: GRUArgs) => new GRU(args);
/**
 * The cell of `simpleRNN`, for `rnn`.
 *
 * ```ts
 * keras.layers.rnn({ cell: keras.layers.simpleRNNCell({ units: 8 }) })
 * ```
 */
export const simpleRNNCell = (args: RecurrentCellArgs) => new SimpleRNNCell(args);
/**
 * The cell of `lstm`, for `rnn`.
 *
 * ```ts
 * keras.layers.lstmCell({ units: 8 })
 * ```
 */
export const lstmCell = (args: LSTMCellArgs) => new LSTMCell(args);
/**
 * The cell of `gru`, for `rnn`.
 *
 * ```ts
 * keras.layers.gruCell({ units: 8, resetAfter: true })
 * ```
 */
export const gruCell = (args: GRUCellArgs) => new GRUCell(args);
/**
 * Several cells run as one, each feeding the next within a timestep.
 *
 * ```ts
 * keras.layers.stackedRNNCells({ cells: [keras.layers.lstmCell({ units: 8 }), keras.layers.lstmCell({ units: 8 })] })
 * ```
 */
export const stackedRNNCells = (args: { cells: RNNCell[]; name?: string }) => new StackedRNNCells(args);
/**
 * Applies a layer to every timestep (one call on the folded batch and time axes).
 *
 * ```ts
 * keras.layers.timeDistributed({ layer: keras.layers.dense({ units: 8 }) })
 * ```
 */
export const timeDistributed = (args: WrapperArgs) => new TimeDistributed(args);
/**
 * Runs a recurrent layer in both directions and merges the results.
 *
 * ```ts
 * keras.layers.bidirectional({ layer: keras.layers.lstm({ units: 16, returnSequences: true }), mergeMode: "concat" })
 * ```
 */
export const bidirectional = (args: WrapperArgs & { mergeMode?: BidirectionalMergeMode }) => new Bidirectional(args);
/**
 * `max(x, 0)`, optionally capped.
 *
 * ```ts
 * keras.layers.reLU({ maxValue: 6 })
 * ```
 */
export const reLU = (args?: ConstructorParameters<typeof ReLU>[0]) => new ReLU(args);
/**
 * Leaky ReLU: slope `alpha` (default 0.3) for negative inputs.
 *
 * ```ts
 * keras.layers.leakyReLU({ alpha: 0.1 })
 * ```
 */
export const leakyReLU = (args?: ConstructorParameters<typeof LeakyReLU>[0]) => new LeakyReLU(args);
/**
 * Parametric ReLU: a learned negative slope per unit.
 *
 * ```ts
 * keras.layers.prelu({ sharedAxes: [1, 2] })
 * ```
 */
export const prelu = (args?: PReLUArgs) => new PReLU(args);
/**
 * Exponential linear unit with `alpha`.
 *
 * ```ts
 * keras.layers.elu({ alpha: 1 })
 * ```
 */
export const elu = (args?: ConstructorParameters<typeof ELU>[0]) => new ELU(args);
/**
 * Zero below `theta`, identity above.
 *
 * ```ts
 * keras.layers.thresholdedReLU({ theta: 0.5 })
 * ```
 */
export const thresholdedReLU = (args?: ConstructorParameters<typeof ThresholdedReLU>[0]) => new ThresholdedReLU(args);
/**
 * Softmax over `axis` (default the last), masked positions excluded.
 *
 * ```ts
 * keras.layers.softmax({ axis: -1 })
 * ```
 */
export const softmax = (args?: ConstructorParameters<typeof Softmax>[0]) => new Softmax(args);
/**
 * Dot-product attention over `[query, value]` or `[query, value, key]`.
 *
 * ```ts
 * keras.layers.attention({ useScale: true }).apply([query, value])
 * ```
 */
export const attention = (args?: ConstructorParameters<typeof Attention>[0]) => new Attention(args);
/**
 * Additive (Bahdanau) attention over `[query, value]` or `[query, value, key]`.
 *
 * ```ts
 * keras.layers.additiveAttention().apply([query, value])
 * ```
 */
export const additiveAttention = (args?: BaseAttentionArgs) => new AdditiveAttention(args);
/**
 * Multi-head attention (Keras 3).
 *
 * ```ts
 * keras.layers.multiHeadAttention({ numHeads: 2, keyDim: 32 }).apply([x, x], { useCausalMask: true })
 * ```
 */
export const multiHeadAttention = (args: MultiHeadAttentionArgs) => new MultiHeadAttention(args);
/**
 * A dense layer defined by an einsum equation.
 *
 * ```ts
 * keras.layers.einsumDense({ equation: "abc,cd->abd", outputShape: [null, 64], biasAxes: "d" })
 * ```
 */
export const einsumDense = (args: EinsumDenseArgs) => new EinsumDense(args);
/**
 * Transposed 2-D convolution (upsampling).
 *
 * ```ts
 * keras.layers.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: "same" })
 * ```
 */
export const conv2dTranspose = (args: ConvTransposeArgs) => new Conv2DTranspose(args);
/**
 * Transposed 1-D convolution.
 *
 * ```ts
 * keras.layers.conv1dTranspose({ filters: 4, kernelSize: 3, strides: 2 })
 * ```
 */
export const conv1dTranspose = (args: ConvTransposeArgs) => new Conv1DTranspose(args);
/**
 * Per-channel 2-D convolution.
 *
 * ```ts
 * keras.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 })
 * ```
 */
export const depthwiseConv2d = (args: DepthwiseConv2DArgs) => new DepthwiseConv2D(args);
/**
 * Depthwise then pointwise 2-D convolution.
 *
 * ```ts
 * keras.layers.separableConv2d({ filters: 16, kernelSize: 3 })
 * ```
 */
export const separableConv2d = (args: SeparableConv2DArgs) => new SeparableConv2D(args);
/**
 * Crops steps off both ends of sequences.
 *
 * ```ts
 * keras.layers.cropping1d({ cropping: [1, 1] })
 * ```
 */
export const cropping1d = (args?: ConstructorParameters<typeof Cropping1D>[0]) => new Cropping1D(args);
/**
 * Crops rows and columns off images.
 *
 * ```ts
 * keras.layers.cropping2d({ cropping: [[1, 1], [2, 2]] })
 * ```
 */
export const cropping2d = (args?: ConstructorParameters<typeof Cropping2D>[0]) => new Cropping2D(args);
/** tfjs's spelling of `cropping2d`. */
export const cropping2D = cropping2d;
/**
 * Pads sequences with zero steps.
 *
 * ```ts
 * keras.layers.zeroPadding1d({ padding: [2, 0] })
 * ```
 */
export const zeroPadding1d = (args?: ConstructorParameters<typeof ZeroPadding1D>[0]) => new ZeroPadding1D(args);
/**
 * Repeats each step `size` times.
 *
 * ```ts
 * keras.layers.upSampling1d({ size: 2 })
 * ```
 */
export const upSampling1d = (args?: ConstructorParameters<typeof UpSampling1D>[0]) => new UpSampling1D(args);
/**
 * Drops whole channels of sequences in training.
 *
 * ```ts
 * keras.layers.spatialDropout1d({ rate: 0.2 })
 * ```
 */
export const spatialDropout1d = (args: ConstructorParameters<typeof SpatialDropout1D>[0]) => new SpatialDropout1D(args);
/**
 * Drops whole feature maps of images in training.
 *
 * ```ts
 * keras.layers.spatialDropout2d({ rate: 0.2 })
 * ```
 */
export const spatialDropout2d = (args: ConstructorParameters<typeof SpatialDropout2D>[0]) => new SpatialDropout2D(args);
/**
 * Additive Gaussian noise in training.
 *
 * ```ts
 * keras.layers.gaussianNoise({ stddev: 0.1 })
 * ```
 */
export const gaussianNoise = (args: ConstructorParameters<typeof GaussianNoise>[0]) => new GaussianNoise(args);
/**
 * Multiplicative Gaussian noise in training.
 *
 * ```ts
 * keras.layers.gaussianDropout({ rate: 0.1 })
 * ```
 */
export const gaussianDropout = (args: ConstructorParameters<typeof GaussianDropout>[0]) => new GaussianDropout(args);
/**
 * Dropout that keeps SELU's self-normalization.
 *
 * ```ts
 * keras.layers.alphaDropout({ rate: 0.1 })
 * ```
 */
export const alphaDropout = (args: ConstructorParameters<typeof AlphaDropout>[0]) => new AlphaDropout(args);
/**
 * `x * scale + offset`.
 *
 * ```ts
 * keras.layers.rescaling({ scale: 1 / 255 })
 * ```
 */
export const rescaling = (args: ConstructorParameters<typeof Rescaling>[0]) => new Rescaling(args);
/**
 * Standardizes features with statistics given or learned by `adapt`.
 *
 * ```ts
 * const norm = keras.layers.normalization(); norm.adapt(x);
 * ```
 */
export const normalization = (args?: NormalizationArgs) => new Normalization(args);
