import type * as tf from "@kiln/core";

/** When an async-only test backend's reads resolve: after a macrotask (like a GPU's readback), or a microtask. */
export type ReadDelay = "macrotask" | "microtask";

/** Waits as `delay` says: reads really are asynchronous either way. */
function wait(delay: ReadDelay): Promise<void> {
  return delay === "macrotask" ? new Promise((resolve) => setTimeout(resolve, 0)) : Promise.resolve();
}

/**
 * Options of the async-only test backend beyond its read delay: let core run loops ahead of
 * their predicate (`loopLookahead`, see `BackendCapabilities`), offer a `guard` (a no-op
 * here: guarded kernels simply run, which the contract allows, since their results are then
 * not used), and observe reads.
 */
export interface AsyncOnlyOptions {
  readonly loopLookahead?: number;
  readonly guards?: boolean;
  readonly onRead?: () => void;
}

/**
 * The async-only test backend (SPEC L): `plugin`'s backend and kernels under another name,
 * with `caps.reads` "async", no `readSync`, and reads that resolve only after a macrotask,
 * like a GPU's (or a microtask, to measure core's own overhead). Running the conformance
 * suite on it checks that every path works without
 * synchronous reads: control flow, printing, variables, gradients, fallbacks.
 *
 * ```ts
 * runConformance({ plugin: () => asyncOnly(cpu()), oracle: cpu });
 * ```
 */
export function asyncOnly(
  plugin: tf.BackendPlugin,
  name = `${plugin.name}-async`,
  delay: ReadDelay = "macrotask",
  options: AsyncOnlyOptions = {},
): tf.BackendPlugin {
  return {
    name,
    apiVersion: plugin.apiVersion,
    priority: 0,
    kernels: plugin.kernels.map((k) => ({ ...k, backend: name })),
    create: async () => wrapAsync(await plugin.create(), name, delay, options),
  };
}

/** The backend seen through an async-only facade (methods run on the real backend). */
function wrapAsync(inner: tf.Backend, name: string, delay: ReadDelay, options: AsyncOnlyOptions): tf.Backend {
  const caps: tf.BackendCapabilities = {
    ...inner.caps,
    reads: "async",
    ...(options.loopLookahead !== undefined ? { loopLookahead: options.loopLookahead } : {}),
  };
  const read = async (dataId: tf.DataId) => {
    options.onRead?.();
    await wait(delay);
    return (await inner.read(dataId)).slice();
  };
  const guard = () => () => {};
  return new Proxy(inner, {
    get(target, key) {
      if (key === "name") return name;
      if (key === "caps") return caps;
      if (key === "readSync") return undefined;
      if (key === "read") return read;
      if (key === "guard") return options.guards === true ? guard : undefined;
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
