import * as tf from "@kiln/core";
import type { Program } from "./program.js";

/** One call of the program's function and what it did. */
export interface CallRecord {
  /** The arguments, described (`Tensor(shape=(2, 2), dtype=float32)`, `3`). */
  readonly args: string;
  /** The result as Kiln prints it, or the error the call threw. */
  readonly result: string;
  readonly failed: boolean;
  /** Whether the call traced, and why (`fn.traceReasons()`). */
  readonly traced: boolean;
  readonly reason?: string;
}

/** One concrete function: its signature, why it was traced, its graph and its optimized plan. */
export interface TraceView {
  readonly concreteFunction: tf.ConcreteFunction;
  readonly reason: string;
  readonly signature: string;
  readonly graphText: string;
  readonly plan: tf.PlanSummary;
}

/** Eager (op by op) against traced (one plan), per call, on the last call's arguments. */
export interface Timing {
  readonly eagerMs: number;
  readonly tracedMs: number;
  readonly runs: number;
}

/** Everything the playground shows about a program. */
export interface Analysis {
  readonly backend: string;
  readonly calls: readonly CallRecord[];
  readonly traces: readonly TraceView[];
  /** `fn.prettyPrintedConcreteSignatures()`. */
  readonly signatures: string;
  /** Warnings Kiln printed (the retracing warning, fallbacks), and `tf.print` output. */
  readonly warnings: readonly string[];
  readonly printed: readonly string[];
  readonly timing?: Timing;
}

/** An argument or result described in one line. */
export function describeValue(value: unknown): string {
  if (value instanceof tf.Tensor) return `Tensor(shape=(${value.shape.join(", ")}${value.rank === 1 ? "," : ""}), dtype=${value.dtype})`;
  if (value instanceof tf.Variable) return `Variable(shape=(${value.shape.join(", ")}), dtype=${value.dtype})`;
  if (Array.isArray(value)) return `[${value.map(describeValue).join(", ")}]`;
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${describeValue(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}

function tensorsIn(value: unknown): tf.Tensor[] {
  if (value instanceof tf.Tensor) return [value];
  if (Array.isArray(value)) return value.flatMap(tensorsIn);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(tensorsIn);
  return [];
}

/** Waits until every tensor in `value` is computed (async-only backends return pending tensors). */
async function settle(value: unknown): Promise<void> {
  for (const t of tensorsIn(value)) await t.data();
}

/**
 * `t.toString()` with its values. A tensor on an async-only backend (webgpu) prints as
 * `tf.Tensor(<on webgpu>, ...)`, so its values are read and printed from a copy on cpu.
 *
 * ```ts
 * await tensorText(y); // "tf.Tensor([3. 5. 7.], shape=(3,), dtype=float32)" on any backend
 * ```
 */
async function tensorText(t: tf.Tensor): Promise<string> {
  if (t.canReadSync) return String(t);
  const values = await t.data();
  const active = tf.getBackend();
  await tf.setBackend("cpu");
  const copy = tf.tensor(values, t.shape as number[], t.dtype);
  try {
    return String(copy);
  } finally {
    copy.dispose();
    await tf.setBackend(active);
  }
}

/** A result as Kiln prints it: each tensor's `toString()`. */
async function formatResult(value: unknown): Promise<string> {
  await settle(value);
  const tensors = tensorsIn(value);
  if (tensors.length === 0) return describeValue(value);
  const texts: string[] = [];
  for (const t of tensors) texts.push(await tensorText(t));
  return texts.join("\n");
}

/** Runs `body` with Kiln's warnings and tf.print output collected instead of printed. */
async function capturing<T>(warnings: string[], printed: string[], body: () => Promise<T>): Promise<T> {
  const runtime = tf.getRuntime();
  const { warn, print } = runtime;
  runtime.warn = (message) => warnings.push(message);
  runtime.print = (message) => printed.push(message);
  try {
    return await body();
  } finally {
    runtime.warn = warn;
    runtime.print = print;
  }
}

/** Milliseconds per call of `call`, after one warm-up, over `runs` calls (at most `budgetMs` in all). */
async function timePerCall(call: () => unknown, runs: number, budgetMs: number): Promise<{ ms: number; runs: number }> {
  const once = async () => {
    const out = call();
    await settle(out);
    tf.dispose(out as tf.Tensor);
  };
  await once();
  const start = performance.now();
  let done = 0;
  while (done < runs && (done === 0 || performance.now() - start < budgetMs)) {
    await once();
    done++;
  }
  return { ms: (performance.now() - start) / done, runs: done };
}

/**
 * Eager against traced timing of one call: eagerly (`tf.config.runFunctionsEagerly(true)`,
 * the function's JS runs op by op) and traced (the cached plan runs), same arguments.
 */
export async function compareTimings(fn: Program["fn"], args: readonly unknown[], runs = 20, budgetMs = 400): Promise<Timing> {
  const wasEager = tf.config.functionsRunEagerly();
  try {
    tf.config.runFunctionsEagerly(true);
    const eager = await timePerCall(() => fn(...args), runs, budgetMs);
    tf.config.runFunctionsEagerly(false);
    const traced = await timePerCall(() => fn(...args), runs, budgetMs);
    return { eagerMs: eager.ms, tracedMs: traced.ms, runs: Math.min(eager.runs, traced.runs) };
  } finally {
    tf.config.runFunctionsEagerly(wasEager);
  }
}

/** The views of every trace: signature, reason, graph text and optimized plan. */
function traceViews(fn: Program["fn"]): TraceView[] {
  const signatures = fn.prettyPrintedConcreteSignatures().split("\n\n");
  return fn.traceReasons().map((reason, i) => ({
    concreteFunction: reason.concreteFunction,
    reason: reason.message,
    signature: signatures[i] ?? "",
    graphText: reason.concreteFunction.graph.toString(),
    plan: reason.concreteFunction.planSummary(),
  }));
}

/**
 * Calls the program's function with each argument list in order, recording results, which
 * calls traced and why, then its concrete functions (graphs, signatures, optimized plans)
 * and, unless `timing` is false, eager against traced timings on the last call's arguments.
 *
 * ```ts
 * const analysis = await analyze(await loadProgram(source));
 * analysis.calls.map((c) => c.reason); // ["first trace", undefined, "x: shape (1, 2) -> (2, 2); relaxed x to (None, 2)"]
 * ```
 */
export async function analyze(program: Program, options: { timing?: boolean } = {}): Promise<Analysis> {
  const { fn, calls } = program;
  const warnings: string[] = [];
  const printed: string[] = [];
  const records = await capturing(warnings, printed, async () => {
    const out: CallRecord[] = [];
    for (const args of calls) {
      const before = fn.tracingCount;
      let result: string;
      let failed = false;
      try {
        const value = fn(...args);
        result = await formatResult(value);
        tf.dispose(value as tf.Tensor);
      } catch (error) {
        result = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        failed = true;
      }
      const traced = fn.tracingCount > before;
      const reason = traced ? fn.traceReasons().at(-1)?.message : undefined;
      out.push({ args: describeValue(args).slice(1, -1), result, failed, traced, ...(reason !== undefined ? { reason } : {}) });
    }
    await tf.asyncWait();
    return out;
  });
  const last = calls.at(-1);
  const timing =
    options.timing === false || last === undefined || records.at(-1)?.failed
      ? undefined
      : await capturing([], [], () => compareTimings(fn, last));
  return {
    backend: tf.getBackend(),
    calls: records,
    traces: traceViews(fn),
    signatures: fn.prettyPrintedConcreteSignatures(),
    warnings,
    printed,
    ...(timing !== undefined ? { timing } : {}),
  };
}
