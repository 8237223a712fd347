import { BackendError } from "../base/errors.js";
import type { AnyOpDef } from "../ir/op.js";
import type { ConcreteShape } from "../base/shape.js";
import type { ValueInfo } from "../ir/op.js";
import {
  BACKEND_API_VERSION,
  type Backend,
  type BackendPlugin,
  type CompiledKernelRegistration,
  type KernelFn,
  type KernelKey,
  type KernelRegistration,
} from "./backend.js";
import { kernelKey } from "./kernel_key.js";

/** The backend that missing kernels fall back to. */
export const FALLBACK_BACKEND = "cpu";

interface Entry {
  plugin: BackendPlugin;
  priority: number;
  instance?: Backend;
  pending?: Promise<Backend>;
}

/** A value as a kernel sees it: concrete shape and dtype. */
type ConcreteValue = ValueInfo & { readonly shape: ConcreteShape };

/**
 * A resolved kernel: the backend it must run on (the fallback, when the active one lacks
 * it) and its function. A plain kernel has `run`; a compiled one builds its function per
 * specialization with `specialize` (cached per backend instance by the key).
 */
export interface ResolvedKernel {
  readonly backend: Backend;
  /** The kernel function, when it does not depend on a specialization. */
  readonly run: KernelFn<any, any> | undefined;
  /** The kernel function for these values and attrs (compiled once per key). */
  specialize(inputs: readonly ConcreteValue[], outputs: readonly ConcreteValue[], attrs: object): KernelFn<any, any>;
  /** The specialization key for these values (undefined for a plain kernel), for `Backend.prepare`. */
  keyFor(inputs: readonly ConcreteValue[], outputs: readonly ConcreteValue[], attrs: object): KernelKey | undefined;
}

/** Compiled kernels of one backend instance, by op and key. */
type CompiledCache = Map<string, KernelFn<any, any>>;

/**
 * Owns registered backend plugins, their lazily created instances, the active backend and
 * the kernel table `(op, backend) -> kernel`.
 *
 * ```ts
 * registry.register(cpu());
 * await registry.setActive("cpu");
 * registry.resolve(AddV2).run(...);
 * ```
 */
export class BackendRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #kernels = new Map<string, Map<string, KernelRegistration<any, any>>>();
  readonly #compiled = new WeakMap<Backend, CompiledCache>();
  /** Resolved kernels per op and backend instance (built once; registration changes clear it). */
  #resolved = new WeakMap<Backend, Map<string, ResolvedKernel>>();
  readonly #warned = new Set<string>();
  #activeName: string | undefined;

  constructor(private readonly warn: (message: string) => void) {}

  register(plugin: BackendPlugin, options: { priority?: number } = {}): void {
    if (plugin.apiVersion !== BACKEND_API_VERSION) {
      throw new BackendError(
        `registerBackend: backend '${plugin.name}' speaks Backend API version ${plugin.apiVersion}, but this @kiln/core speaks version ${BACKEND_API_VERSION}; install matching versions of @kiln/core and the backend package`,
      );
    }
    if (this.#entries.has(plugin.name)) {
      throw new BackendError(`registerBackend: a backend named '${plugin.name}' is already registered; call removeBackend('${plugin.name}') first to replace it`);
    }
    this.#entries.set(plugin.name, { plugin, priority: options.priority ?? plugin.priority ?? 1 });
    for (const kernel of plugin.kernels) this.registerKernel(kernel);
  }

  remove(name: string): void {
    const entry = this.#entries.get(name);
    if (entry === undefined) throw new BackendError(`removeBackend: no backend named '${name}'; registered: ${this.#describe()}`);
    entry.instance?.dispose();
    this.#entries.delete(name);
    for (const perBackend of this.#kernels.values()) perBackend.delete(name);
    this.#resolved = new WeakMap();
    if (this.#activeName === name) this.#activeName = undefined;
  }

  registerKernel(registration: KernelRegistration<any, any>): void {
    const opName = typeof registration.op === "string" ? registration.op : registration.op.name;
    let perBackend = this.#kernels.get(opName);
    if (perBackend === undefined) this.#kernels.set(opName, (perBackend = new Map()));
    perBackend.set(registration.backend, registration);
    this.#resolved = new WeakMap();
  }

  hasKernel(opName: string, backendName: string): boolean {
    return this.#kernels.get(opName)?.has(backendName) ?? false;
  }

  names(): string[] {
    return [...this.#entries.entries()].sort((a, b) => b[1].priority - a[1].priority).map(([name]) => name);
  }

  /** Creates (if needed) and activates a backend; awaits async factories. */
  async setActive(name: string): Promise<Backend> {
    const entry = this.#entry(name, "setBackend");
    const backend = await this.#instantiate(entry);
    this.#activeName = name;
    return backend;
  }

  /** The active backend, creating the highest-priority registered one on first use. */
  active(): Backend {
    if (this.#activeName === undefined) {
      const best = this.names()[0];
      if (best === undefined) {
        throw new BackendError(`no backend is registered; install one and register it, e.g. import { cpu } from "@kiln/backend-cpu"; tf.registerBackend(cpu());`);
      }
      this.#activeName = best;
    }
    return this.get(this.#activeName, "getBackend");
  }

  activeName(): string | undefined {
    return this.#activeName;
  }

  /** A registered backend's instance, created synchronously if its factory is synchronous. */
  get(name: string, caller: string): Backend {
    const entry = this.#entry(name, caller);
    if (entry.instance !== undefined) return entry.instance;
    if (entry.pending !== undefined) {
      throw new BackendError(`${caller}: backend '${name}' is still initializing; await tf.setBackend('${name}') before running ops`);
    }
    const created = entry.plugin.create();
    if (created instanceof Promise) {
      entry.pending = created.then((b) => (entry.instance = b));
      entry.pending.catch(() => (entry.pending = undefined));
      throw new BackendError(`${caller}: backend '${name}' initializes asynchronously; await tf.setBackend('${name}') before running ops`);
    }
    return (entry.instance = created);
  }

  /** Instances created so far (for memory reports). */
  instances(): Backend[] {
    return [...this.#entries.values()].flatMap((e) => (e.instance === undefined ? [] : [e.instance]));
  }

  /**
   * The kernel for `op` on `backend`. A backend without it falls back to cpu with one
   * warning per (op, backend); with no fallback either, a BackendError names the op and
   * the backends that do have it.
   */
  resolve(op: AnyOpDef, backend: Backend): ResolvedKernel {
    let cached = this.#resolved.get(backend);
    if (cached === undefined) this.#resolved.set(backend, (cached = new Map()));
    let resolved = cached.get(op.name);
    if (resolved === undefined) cached.set(op.name, (resolved = this.#resolveUncached(op, backend)));
    return resolved;
  }

  #resolveUncached(op: AnyOpDef, backend: Backend): ResolvedKernel {
    const perBackend = this.#kernels.get(op.name);
    const own = perBackend?.get(backend.name);
    if (own !== undefined) return this.#resolvedKernel(op, own, backend);
    const fallback = perBackend?.get(FALLBACK_BACKEND);
    if (fallback !== undefined && this.#entries.has(FALLBACK_BACKEND)) {
      const key = `${op.name}@${backend.name}`;
      if (!this.#warned.has(key)) {
        this.#warned.add(key);
        this.warn(`Kiln: backend '${backend.name}' has no kernel for ${op.name} (${op.api}); running it on '${FALLBACK_BACKEND}' instead, which copies data between backends`);
      }
      return this.#resolvedKernel(op, fallback, this.get(FALLBACK_BACKEND, op.api));
    }
    const available = perBackend === undefined ? [] : [...perBackend.keys()];
    throw new BackendError(
      `${op.api}: no kernel for op ${op.name} on backend '${backend.name}'` +
        (available.length > 0 ? ` (backends with one: ${available.join(", ")})` : " or any other backend") +
        `; register one with tf.registerKernel({ op: "${op.name}", backend: "${backend.name}", run })`,
    );
  }

  #resolvedKernel(op: AnyOpDef, registration: KernelRegistration<any, any>, backend: Backend): ResolvedKernel {
    if ("run" in registration) {
      const run = registration.run;
      return { backend, run, specialize: () => run, keyFor: () => undefined };
    }
    const compiled = registration as CompiledKernelRegistration<any, any>;
    const keyFor = (inputs: readonly ConcreteValue[], outputs: readonly ConcreteValue[], attrs: object) =>
      kernelKey(compiled.specializeOn, inputs, outputs, attrs);
    return {
      backend,
      run: undefined,
      keyFor,
      specialize: (inputs, outputs, attrs) => {
        let cache = this.#compiled.get(backend);
        if (cache === undefined) this.#compiled.set(backend, (cache = new Map()));
        const key = keyFor(inputs, outputs, attrs);
        const id = `${op.name}:${key.id}`;
        let run = cache.get(id);
        if (run === undefined) cache.set(id, (run = compiled.compile(key, backend)));
        return run;
      },
    };
  }

  #entry(name: string, caller: string): Entry {
    const entry = this.#entries.get(name);
    if (entry === undefined) {
      throw new BackendError(`${caller}: no backend named '${name}' is registered; registered: ${this.#describe()}. Install the backend package and call tf.registerBackend(plugin())`);
    }
    return entry;
  }

  async #instantiate(entry: Entry): Promise<Backend> {
    if (entry.instance !== undefined) return entry.instance;
    entry.pending ??= Promise.resolve(entry.plugin.create()).then((b) => (entry.instance = b));
    try {
      return await entry.pending;
    } catch (error) {
      entry.pending = undefined;
      throw new BackendError(`setBackend: backend '${entry.plugin.name}' failed to initialize: ${(error as Error).message}`, { cause: error });
    }
  }

  #describe(): string {
    const names = this.names();
    return names.length === 0 ? "none" : names.join(", ");
  }
}
