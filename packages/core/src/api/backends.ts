import { ArgumentError } from "../base/errors.js";
import { type AnyOpDef, defineOp as declareOp, type OpDef } from "../ir/op.js";
import { coreOpDefs } from "../ops/op_list.js";
import type { Backend, BackendPlugin, KernelRegistration } from "../backend/backend.js";
import { getRuntime } from "../trace/runtime.js";

/**
 * Registers a backend plugin (what `cpu()`, `wasm()`, `webgpu()` return) and its kernels.
 * Nothing is initialized until the backend is first used or selected.
 *
 * ```ts
 * tf.registerBackend(cpu(), { priority: 1 });
 * ```
 */
export function registerBackend(plugin: BackendPlugin, options: { priority?: number } = {}): void {
  getRuntime().backends.register(plugin, options);
}

/**
 * Selects the backend later ops run on, initializing it first (async backends load their
 * binaries here). Existing tensors stay usable: their data moves lazily when an op on the
 * new backend needs it, and tensors on async-only backends are moved now.
 *
 * ```ts
 * await tf.setBackend("wasm");
 * ```
 */
export async function setBackend(name: string): Promise<void> {
  await getRuntime().setBackend(name);
}

/**
 * Settles when all asynchronous work issued so far has finished (TF's
 * `tf.experimental.async_wait`): on an async-only backend, calls waiting for host reads
 * (a While predicate, a printed value) and the ops, prints and variable updates queued
 * behind them. Reading a tensor already waits for what it needs; use this before checking
 * memory or printed output.
 *
 * ```ts
 * f(x); await tf.asyncWait(); // every tf.print inside f has printed
 * ```
 */
export function asyncWait(): Promise<void> {
  return getRuntime().asyncWait();
}

/** The name of the active backend (initializing the highest-priority one if none was chosen). */
export function getBackend(): string {
  return getRuntime().backends.active().name;
}

/** The active backend object itself, for kernel authors and tests. */
export function backend(): Backend {
  return getRuntime().backends.active();
}

/** Names of registered backends, highest priority first. */
export function listBackends(): string[] {
  return getRuntime().backends.names();
}

/** Unregisters a backend, disposing its instance and kernels. */
export function removeBackend(name: string): void {
  getRuntime().backends.remove(name);
}

/**
 * Resolves once the active backend (or, before any was chosen, the highest-priority registered
 * one) is initialized, as tfjs's `tf.ready()`: what to await after a side-effect registration
 * of a backend that loads asynchronously.
 *
 * ```ts
 * import "@kiln/backend-wasm/register";
 * await tf.ready(); // the wasm binary is compiled; ops run on it
 * ```
 */
export async function ready(): Promise<void> {
  const runtime = getRuntime();
  const name = runtime.backends.activeName() ?? runtime.backends.names()[0];
  if (name === undefined) runtime.backends.active(); // throws: no backend is registered
  else await runtime.setBackend(name);
}

/**
 * Adds or replaces the kernel for an op on a backend. Works for core's ops and for custom
 * ops declared with `defineOp`.
 *
 * ```ts
 * tf.registerKernel({ op: "Cube", backend: "cpu", run: ({ inputs, backend }) => [...] });
 * ```
 */
export function registerKernel<A extends object>(registration: KernelRegistration<A, any>): void {
  getRuntime().backends.registerKernel(registration as KernelRegistration<any, any>);
}

/**
 * Declares a custom op (name, shape and dtype inference, its gradient rule or "none") so
 * it can be called through `tf.bind` and run by kernels registered for it. An elementwise
 * op may also declare its `scalar` semantics, which lets backends fuse it. See the package
 * README for an example.
 *
 * ```ts
 * const Cube = tf.defineOp({ name: "Cube", api: "cube", family: "elementwise", inputs: ["x"], infer: ([x]) => [x!],
 *   grad: ({ inputs: [x], dys: [dy] }) => [tf.mul(dy!, tf.mul(3, tf.square(x!)))] });
 * ```
 */
export function defineOp<A extends object>(def: OpDef<A>): OpDef<A> {
  if (coreOpDefs().some((core) => core.name === def.name)) {
    throw new ArgumentError(
      `defineOp: '${def.name}' is the name of a core op; choose another name for a custom op (saved graphs resolve op types by name)`,
    );
  }
  const op = declareOp(def);
  getRuntime().ops.add(op as AnyOpDef);
  return op;
}
