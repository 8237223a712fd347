/** Types of data.mjs. */
import type * as tf from "@kiln/core";

export interface Corpus {
  text: string;
  vocab: string[];
  encode(s: string): number[];
  decode(ids: number[]): string;
}
export const DEFAULT_TEXT: string;
export function corpusAvailable(path?: string): boolean;
export function loadCorpus(options?: { path?: string; limit?: number }): Promise<Corpus>;
export function sequences(
  tfModule: typeof tf,
  corpus: Corpus,
  options?: { length?: number; stride?: number },
): { x: tf.Tensor; y: tf.Tensor };
