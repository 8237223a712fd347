import type { LibraryFunction } from "../ir/func_graph.js";

/**
 * The functions an eager call op can name (TF's eager function library): every concrete
 * function registers itself under its unique name (`__inference_f_3`) when it is created.
 * Held weakly, so registering keeps nothing alive.
 *
 * ```ts
 * runtime.functions.add(cf);
 * runtime.functions.get(cf.name); // cf, while it is alive
 * ```
 */
export class FunctionRegistry {
  readonly #byName = new Map<string, WeakRef<LibraryFunction>>();
  readonly #cleanup = new FinalizationRegistry<string>((name) => {
    if (this.#byName.get(name)?.deref() === undefined) this.#byName.delete(name);
  });

  add(fn: LibraryFunction): void {
    this.#byName.set(fn.name, new WeakRef(fn));
    this.#cleanup.register(fn, fn.name);
  }

  get(name: string): LibraryFunction | undefined {
    return this.#byName.get(name)?.deref();
  }
}
