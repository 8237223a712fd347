import * as tf from "@kiln/core";
import { cpu } from "@kiln/backend-cpu";
import { useBackend } from "@kiln/conformance";
import { type WebGPUBackend, webgpu } from "../src/index.js";

/**
 * Selects the webgpu backend for a test file (the cpu oracle registered beside it), with
 * the conformance suite's leak check after every test. Loops run speculatively (lookahead
 * 32, the hardware default) also on SwiftShader, so CI covers that path.
 */
export function useWebGPU(): void {
  useBackend({ plugin: () => webgpu({ loopLookahead: 32 }), oracle: cpu });
}

/** The active webgpu backend. */
export function gpuBackend(): WebGPUBackend {
  return tf.backend() as WebGPUBackend;
}

/** `fn`'s result on the cpu oracle (values read, tensors freed), with the webgpu backend selected again after. */
export async function onCpu(fn: () => tf.Tensor | tf.Tensor[]): Promise<number[][]> {
  const previous = tf.getBackend();
  await tf.setBackend("cpu");
  try {
    return await readAll(fn);
  } finally {
    await tf.setBackend(previous);
  }
}

/** Runs `fn` (inside tidy) and returns every result's values, freeing the results. */
export async function readAll(fn: () => tf.Tensor | tf.Tensor[]): Promise<number[][]> {
  const result = tf.tidy(fn);
  const list = Array.isArray(result) ? result : [result];
  try {
    const values: number[][] = [];
    for (const t of list) values.push(Array.from(await t.data()));
    return values;
  } finally {
    tf.dispose(list);
  }
}

/** Max |a - b| / max(|b|, 1) over two value lists (float tolerance checks). */
export function maxRelativeError(a: readonly number[], b: readonly number[]): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), 1));
  return worst;
}

/** Frees the plans (and their constants) of traced functions, as a test's last step. */
export function disposeFunctions(...functions: { concreteFunctions(): { dispose(): void }[] }[]): void {
  for (const f of functions) for (const cf of f.concreteFunctions()) cf.dispose();
}
