/**
 * Keras error classes. Every one derives from core's `tf.KilnError`, so a single
 * `catch (e) { if (e instanceof tf.KilnError) ... }` covers Kiln and Keras alike, and each
 * message names the layer, model or argument at fault.
 *
 * ```ts
 * try { model.predict(tf.ones([2, 3])); } catch (e) { e instanceof keras.InputShapeError; }
 * ```
 */
import * as tf from "@kiln/core";

/** Base class of every error thrown by @kiln/keras. */
export class KerasError extends tf.KilnError {
  static override readonly errorName: string = "KerasError";
}

/** A tensor given to a layer or model has a shape or rank the layer cannot take. */
export class InputShapeError extends KerasError {
  static override readonly errorName: string = "InputShapeError";
}

/** Labels or weights given to a loss or metric do not fit the predictions. */
export class TargetError extends KerasError {
  static override readonly errorName: string = "TargetError";
}

/** An unknown name (loss, optimizer, activation, initializer, layer class...) or a bad option. */
export class ConfigError extends KerasError {
  static override readonly errorName: string = "ConfigError";
}

/** A model was used in a way its state does not allow yet (not compiled, not built...). */
export class ModelStateError extends KerasError {
  static override readonly errorName: string = "ModelStateError";
}

/** A saved model is malformed: bad JSON, unknown class, missing or mis-sized weights. */
export class ModelFormatError extends KerasError {
  static override readonly errorName: string = "ModelFormatError";
}

/** Training produced a NaN or infinite loss (raised by `TerminateOnNaN` users who ask, and by checks). */
export class NaNLossError extends KerasError {
  static override readonly errorName: string = "NaNLossError";
}
