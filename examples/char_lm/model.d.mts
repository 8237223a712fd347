/** Types of model.mjs. */
import type * as tf from "@kiln/core";
import type * as keras from "@kiln/keras";
import type { Corpus } from "./data.mjs";

export function charModel(
  kerasModule: typeof keras,
  vocabSize: number,
  options?: { embedding?: number; units?: number; learningRate?: number },
): keras.Sequential;
export function sample(logits: ArrayLike<number>, temperature: number, random?: () => number): number;
export function generate(
  tfModule: typeof tf,
  model: keras.Model,
  corpus: Corpus,
  seed: string,
  count: number,
  temperature?: number,
  options?: { context?: number; random?: () => number },
): string;
