/** Types of model.mjs. */
import type * as keras from "@kiln/keras";

export function fashionCnn(kerasModule: typeof keras, options?: { learningRate?: number; stepsPerExecution?: number }): keras.Sequential;
