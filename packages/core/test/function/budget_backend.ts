import * as tf from "@kiln/core";
import { cpu } from "@kiln/backend-cpu";

/** A run took more steps than the test allows (a loop that never ends, on purpose or not). */
export class StepBudgetExceeded extends tf.KilnError {}

/** A kernel or upload asked for more bytes than the test allows: the load-time budget let it through. */
export class AllocationCapExceeded extends tf.KilnError {}

/** Counters and limits of a `budgeted` backend, reset by the test between runs. */
export interface Budget {
  /** Kernel runs and host reads left before `StepBudgetExceeded`. */
  steps: number;
  /** The largest buffer (bytes) a kernel or upload may ask for. */
  readonly maxBytes: number;
  /** Whether a request over `maxBytes` happened (the test fails on it). */
  overAllocated: string | undefined;
}

const BYTES: Record<tf.DType, number> = { float32: 4, int32: 4, bool: 1 };

function bytesOf(info: { shape: readonly number[]; dtype: tf.DType }): number {
  return info.shape.reduce((a, b) => a * b, 1) * BYTES[info.dtype];
}

/**
 * The cpu backend behind a step budget and an allocation cap, for running untrusted
 * graphs in tests: every kernel run and every host read costs a step (a `While` reads its
 * predicate once per iteration, so an endless loop runs out of steps), and every kernel
 * output or upload larger than `maxBytes` is refused before the cpu allocates it.
 *
 * ```ts
 * const budget = { steps: 10_000, maxBytes: 2 ** 24, overAllocated: undefined };
 * tf.registerBackend(budgeted(budget));
 * await tf.setBackend("cpu-budgeted");
 * ```
 */
export function budgeted(budget: Budget, name = "cpu-budgeted"): tf.BackendPlugin {
  const plugin = cpu();
  const spend = (what: string) => {
    if (--budget.steps < 0) throw new StepBudgetExceeded(`step budget exhausted at ${what}`);
  };
  const cap = (what: string, bytes: number) => {
    if (bytes <= budget.maxBytes) return;
    budget.overAllocated ??= `${what} asked for ${bytes} bytes`;
    throw new AllocationCapExceeded(`${what} asked for ${bytes} bytes, over the test's cap of ${budget.maxBytes}`);
  };
  const guard = (op: string, run: tf.KernelFn<any, any>): tf.KernelFn<any, any> => {
    return (args) => {
      spend(op);
      for (const out of args.outputs) cap(op, bytesOf(out));
      return run(args);
    };
  };
  const kernels = plugin.kernels.map((k): tf.KernelRegistration<any, any> => {
    const op = typeof k.op === "string" ? k.op : k.op.name;
    if ("run" in k) return { op: k.op, backend: name, run: guard(op, k.run) };
    return { op: k.op, backend: name, specializeOn: k.specializeOn, compile: (key, b) => guard(op, k.compile(key, b)) };
  });
  const wrap = (inner: tf.Backend): tf.Backend =>
    new Proxy(inner, {
      get(target, key) {
        if (key === "name") return name;
        const value = Reflect.get(target, key, target);
        if (typeof value !== "function") return value;
        if (key === "readSync")
          return (id: tf.DataId) => {
            spend("a host read");
            return value.call(target, id);
          };
        if (key === "write")
          return (values: tf.DataArray, shape: readonly number[], dtype: tf.DType) => {
            cap("an upload", values.byteLength);
            return value.call(target, values, shape, dtype);
          };
        if (key === "compileFused")
          return (cluster: tf.FusedCluster) => {
            const run = value.call(target, cluster) as tf.KernelFn | undefined;
            return run === undefined ? undefined : guard("a fused kernel", run);
          };
        return value.bind(target);
      },
    });
  return { name, apiVersion: plugin.apiVersion, priority: 0, kernels, create: () => wrap(plugin.create() as tf.Backend) };
}
