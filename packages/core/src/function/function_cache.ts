import type { Shape } from "../base/shape.js";
import type { ConcreteFunction } from "./concrete_function.js";
import { type FunctionType, acceptsDims, hasDeadRef, relaxDims, specificity, typeKey } from "./function_type.js";

interface Entry {
  readonly type: FunctionType;
  readonly dims: readonly Shape[];
  readonly fn: ConcreteFunction;
}

/**
 * The concrete functions of one `tf.function`, keyed by FunctionType. Lookup first tries
 * the exact key, then the most specific cached entry whose tensor dims accept the call
 * (`[1, 2]` is accepted by `[null, 2]` and `[null, null]`, SPEC C1). Relaxation (SPEC D1)
 * lives here too: `relaxedDims` proposes the dims for a new, more general trace.
 *
 * ```ts
 * cache.lookup(type) ?? cache.add(type, type.dims, trace(type));
 * ```
 */
export class FunctionCache {
  private readonly exact = new Map<string, Entry>();
  private readonly groups = new Map<string, Entry[]>();
  private readonly order: Entry[] = [];

  get size(): number {
    return this.order.length;
  }

  entries(): ConcreteFunction[] {
    return this.order.map((e) => e.fn);
  }

  /** Every entry's type and the dims it was traced with, in trace order (to explain a miss). */
  traced(): readonly Entry[] {
    return this.order;
  }

  lookup(type: FunctionType): ConcreteFunction | undefined {
    const hit = this.exact.get(type.key);
    if (hit !== undefined) return hit.fn;
    let best: Entry | undefined;
    for (const entry of this.groups.get(type.relaxKey) ?? []) {
      if (acceptsDims(entry.dims, type.dims) && (best === undefined || specificity(entry.dims) > specificity(best.dims))) best = entry;
    }
    return best?.fn;
  }

  /**
   * Dims for a relaxed trace: if a cached entry has the same structure, dtypes and ranks
   * but other dimension sizes, the dims that differ become `null`. `undefined` when there
   * is nothing to relax against (or relaxing would not generalise anything).
   */
  relaxedDims(type: FunctionType): Shape[] | undefined {
    const group = this.groups.get(type.relaxKey);
    const latest = group?.at(-1);
    if (latest === undefined) return undefined;
    const relaxed = relaxDims(latest.dims, type.dims);
    return relaxed.some((shape, i) => shape.some((d, j) => d !== type.dims[i]![j])) ? relaxed : undefined;
  }

  /** Forgets every entry (the concrete functions themselves are the caller's to dispose). */
  clear(): void {
    this.exact.clear();
    this.groups.clear();
    this.order.length = 0;
  }

  add(type: FunctionType, dims: readonly Shape[], fn: ConcreteFunction): void {
    this.sweep();
    const entry: Entry = { type, dims, fn };
    const key = dimsKey(type, dims);
    this.exact.set(key, entry);
    let group = this.groups.get(type.relaxKey);
    if (group === undefined) this.groups.set(type.relaxKey, (group = []));
    group.push(entry);
    this.order.push(entry);
  }

  /** Drops entries keyed on objects that were garbage-collected: they can never match again (SPEC C4). */
  private sweep(): void {
    for (const entry of [...this.order]) {
      if (!hasDeadRef(entry.type.params)) continue;
      this.order.splice(this.order.indexOf(entry), 1);
      for (const [key, e] of this.exact) if (e === entry) this.exact.delete(key);
      const group = this.groups.get(entry.type.relaxKey);
      group?.splice(group.indexOf(entry), 1);
    }
  }
}

/** The exact key of an entry traced with `dims` (which may be more general than the call's). */
function dimsKey(type: FunctionType, dims: readonly Shape[]): string {
  return dims === type.dims ? type.key : typeKey(type.params, dims);
}
