/// <reference types="@webgpu/types" />
import type { ParamSlice } from "./params.js";

/** What a dispatch binds: storage buffers with their bound sizes, then the parameter slice. */
export interface Bindings {
  readonly buffers: readonly GPUBuffer[];
  readonly sizes: readonly number[];
  readonly params: ParamSlice | undefined;
}

interface Entry extends Bindings {
  readonly group: GPUBindGroup;
}

/** Bind groups kept per site: a kernel that runs at several places of one graph (same shapes) binds different buffers at each. */
const PER_SITE = 8;

/**
 * Bind groups remembered per dispatch site (a kernel plan's dispatch, which every call of
 * that kernel repeats): when a call binds the same buffers with the same sizes and the same
 * parameter slice as one of the site's last few calls, it reuses that call's bind group
 * instead of creating one. A traced call in a steady loop binds the same buffers each time
 * (its inputs, the weights and pooled outputs come back in the same order), so after the
 * first call it creates no bind groups, also where one kernel serves several layers of the
 * same shape. A reused group is valid: every buffer it names is bound again now, so none
 * has been destroyed.
 *
 * ```ts
 * const group = cache.get(site, bindings, () => device.createBindGroup({ layout, entries }));
 * ```
 */
export class BindGroupCache {
  readonly #sites = new WeakMap<object, Entry[]>();
  /** Bind groups created and reused so far (for tests and benches). */
  created = 0;
  reused = 0;

  get(site: object | undefined, bindings: Bindings, create: () => GPUBindGroup): GPUBindGroup {
    if (site === undefined) {
      this.created++;
      return create();
    }
    let entries = this.#sites.get(site);
    if (entries === undefined) this.#sites.set(site, (entries = []));
    for (let k = 0; k < entries.length; k++) {
      const entry = entries[k]!;
      if (!sameBindings(entry, bindings)) continue;
      this.reused++;
      // Most recently used first.
      if (k > 0) entries.unshift(...entries.splice(k, 1));
      return entry.group;
    }
    const group = create();
    this.created++;
    entries.unshift({ ...bindings, group });
    if (entries.length > PER_SITE) entries.pop();
    return group;
  }
}

function sameBindings(a: Bindings, b: Bindings): boolean {
  if (a.params !== b.params || a.buffers.length !== b.buffers.length) return false;
  for (let k = 0; k < a.buffers.length; k++) if (a.buffers[k] !== b.buffers[k] || a.sizes[k] !== b.sizes[k]) return false;
  return true;
}
