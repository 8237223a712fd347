/** Types of data.mjs. */
import type * as tf from "@kiln/core";

export function prng(seed: number): () => number;
export function noisySignal(random: () => number, length: number, noise: number): number[];
export function noisySines(
  tfModule: typeof tf,
  options?: { series?: number; length?: number; window?: number; horizon?: number; noise?: number; stride?: number; seed?: number },
): { x: tf.Tensor; y: tf.Tensor; naive: tf.Tensor };
