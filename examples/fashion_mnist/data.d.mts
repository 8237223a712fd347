/** Types of data.mjs (the example is plain JS so it runs with node on the built packages). */
import type * as tf from "@kiln/core";

export const FASHION_MNIST_DIR: string;
export const CLASS_NAMES: string[];
export function fashionMnistAvailable(dir?: string): boolean;
export function parseIdx(bytes: Uint8Array): { shape: number[]; data: Uint8Array };
export function loadFashionMnist(
  tfModule: typeof tf,
  split: "train" | "t10k",
  options?: { limit?: number; dir?: string },
): Promise<{ images: tf.Tensor; labels: tf.Tensor }>;
