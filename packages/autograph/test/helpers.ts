import * as tf from "@kiln/core";
import { cpu } from "@kiln/backend-cpu";
import { convert } from "../src/index.js";
import { convertSource } from "../src/converter/function_source.js";
import type { PassName } from "../src/converter/pipeline.js";

/** Registers the cpu oracle once. */
export function useCpu(): void {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
}

/**
 * The source of `source` (a function's text) after the canonicalization and `passes`:
 * golden tests show one pass at a time.
 */
export function convertText(source: string, passes?: readonly PassName[]): string {
  const converted = convertSource(source.trim(), "f", passes === undefined ? undefined : ["canonicalize", ...passes]);
  if (converted === undefined) throw new Error("not a function");
  return converted.display;
}

/** Runs `fn` and collects what `tf.getRuntime().warn` reports. */
export function captureWarnings<T>(fn: () => T): { result: T; warnings: string[] } {
  const runtime = tf.getRuntime();
  const saved = runtime.warn;
  const warnings: string[] = [];
  runtime.warn = (message) => warnings.push(message);
  try {
    return { result: fn(), warnings };
  } finally {
    runtime.warn = saved;
  }
}

type Fn = (...args: any[]) => any;

/** `fn` converted, with `tf` and `scope` as the names it may use from its enclosing code. */
export const converted = (fn: Fn, scope: Record<string, unknown> = {}) => convert(fn, { scope: { tf, ...scope } }) as Fn;

/** `fn` converted and wrapped in tf.function, so tensor conditions become If / While ops. */
export const traced = (fn: Fn, scope: Record<string, unknown> = {}) => tf.function(converted(fn, scope));

/** Calls `traced(fn, scope)` with `args`; a tensor result is read back as a JS value. */
export const runIn = (fn: Fn, scope: Record<string, unknown>, ...args: unknown[]) => {
  const out = traced(fn, scope)(...args);
  return out instanceof tf.Tensor ? out.arraySync() : out;
};

/** `runIn` with no extra scope. */
export const run = (fn: Fn, ...args: unknown[]) => runIn(fn, {}, ...args);
