/** Types of model.mjs. */
import type * as tf from "@kiln/core";
import type * as keras from "@kiln/keras";

export function sineForecaster(kerasModule: typeof keras, options?: { units?: number; learningRate?: number }): keras.Sequential;
export function forecast(tfModule: typeof tf, model: keras.Model, window: number[], steps: number): number[];
