import * as tf from "@kiln/core";
import { cpu } from "@kiln/backend-cpu";

/** Registers the cpu oracle once for core's behaviour tests. */
export function useCpu(): void {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
}

/** What tf.print writes while `fn` runs, line by line (printing is restored afterwards). */
export function printedBy(fn: () => void): string[] {
  const lines: string[] = [];
  const runtime = tf.getRuntime();
  const saved = runtime.print;
  runtime.print = (m) => lines.push(m);
  try {
    fn();
  } finally {
    runtime.print = saved;
  }
  return lines;
}

/** The runtime's warnings while `fn` runs (collected instead of printed; restored afterwards). */
export function warnedBy(fn: () => void): string[] {
  const warnings: string[] = [];
  const runtime = tf.getRuntime();
  const saved = runtime.warn;
  runtime.warn = (m) => warnings.push(m);
  try {
    fn();
  } finally {
    runtime.warn = saved;
  }
  return warnings;
}

/** For calling a gradient rule directly in a test: rules of ordinary ops never differentiate a sub-graph. */
export const noDifferentiate: tf.Differentiate = () => {
  throw new Error("this gradient rule was not expected to differentiate a sub-graph");
};

/** A tf.function called with arguments its TS signature does not declare (JS values, specs, wrong kinds). */
export const loosely = (f: unknown) => f as (...args: unknown[]) => unknown;

/** Reads a result and frees it, so leak checks see only what the function keeps. */
export const take = (t: unknown): unknown => {
  const tensor = t as tf.Tensor;
  const out = tensor.arraySync();
  tensor.dispose();
  return out;
};

/** Live memory (tensors, bytes, buffers): what a leak changes; pooled dead buffers kept for reuse are left out. */
export const liveMemory = () => {
  const { numTensors, numBytes, numDataBuffers } = tf.memory();
  return { numTensors, numBytes, numDataBuffers };
};

/** How many tensors are alive now. */
export const live = () => tf.memory().numTensors;
