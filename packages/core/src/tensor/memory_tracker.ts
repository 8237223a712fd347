import { ArgumentError } from "../base/errors.js";

/** Anything the tracker counts: eager tensors. */
export interface Tracked {
  readonly isDisposed: boolean;
  dispose(): void;
}

/** What `tf.memory()` reports, like tfjs. */
export interface MemoryInfo {
  numTensors: number;
  /** Bytes of live data (tensors, variables, constants of compiled functions), pooled buffers excluded. */
  numBytes: number;
  numDataBuffers: number;
  /** Bytes of dead buffers kept for reuse (see `tf.releasePools()`); not counted in `numBytes`. */
  pooledBytes: number;
  /** Live bytes and buffers held per backend, and the bytes its pool keeps. */
  backends: Record<string, { numBytes: number; numBuffers: number; pooledBytes: number }>;
}

/**
 * Counts live eager tensors and owns the stack of `tidy` scopes. Scopes hold the tensors
 * created inside them strongly until the scope ends; outside any scope the tracker holds
 * no reference, so a `FinalizationRegistry` can free buffers of tensors that were dropped
 * without `dispose()`.
 *
 * ```ts
 * const scope = tracker.openScope();
 * tracker.track(t);
 * tracker.closeScope(scope, [result]); // disposes everything else created in it
 * ```
 */
export class MemoryTracker {
  #numTensors = 0;
  readonly #scopes: Set<Tracked>[] = [];
  readonly #kept = new WeakSet<Tracked>();

  /**
   * @param onUnscoped called for a tensor that is no longer owned by any scope (it escaped
   * the outermost tidy, or was kept): from then on only the GC safety net can free it.
   */
  constructor(private readonly onUnscoped: (tensor: Tracked) => void = () => {}) {}

  /** True while a tidy scope is open: new tensors are owned by it. */
  get inScope(): boolean {
    return this.#scopes.length > 0;
  }

  get numTensors(): number {
    return this.#numTensors;
  }

  track(tensor: Tracked): void {
    this.#numTensors++;
    this.#scopes.at(-1)?.add(tensor);
  }

  /** Called once when a tracked tensor is disposed or finalized. */
  untrack(tensor: Tracked | undefined): void {
    this.#numTensors--;
    if (tensor !== undefined) for (const scope of this.#scopes) scope.delete(tensor);
  }

  /** Excludes a tensor from disposal by every enclosing scope. */
  keep<T extends Tracked>(tensor: T): T {
    if (this.#kept.has(tensor)) return tensor;
    this.#kept.add(tensor);
    let owned = false;
    for (const scope of this.#scopes) owned = scope.delete(tensor) || owned;
    if (owned) this.onUnscoped(tensor);
    return tensor;
  }

  isKept(tensor: Tracked): boolean {
    return this.#kept.has(tensor);
  }

  openScope(): Set<Tracked> {
    const scope = new Set<Tracked>();
    this.#scopes.push(scope);
    return scope;
  }

  /** Ends `scope`, disposing what it created except `survivors`, which move to the parent scope. */
  closeScope(scope: Set<Tracked>, survivors: Iterable<Tracked>): void {
    const index = this.#scopes.lastIndexOf(scope);
    if (index < 0) throw new ArgumentError("tidy: scope closed twice or out of order");
    this.#scopes.splice(index, 1);
    const keep = new Set(survivors);
    for (const tensor of scope) {
      if (!keep.has(tensor) && !tensor.isDisposed) tensor.dispose();
    }
    const parent = this.#scopes[index - 1];
    for (const tensor of keep) {
      if (!scope.has(tensor) || this.#kept.has(tensor)) continue;
      if (parent !== undefined) parent.add(tensor);
      else this.onUnscoped(tensor);
    }
  }
}
