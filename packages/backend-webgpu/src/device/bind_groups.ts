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

/**
 * Bind groups remembered per dispatch site (a kernel plan's dispatch, which every call of
 * that kernel repeats): when a call binds the same buffers with the same sizes and the same
 * parameter slice as the site's last call, it reuses that call's bind group instead of
 * creating one. A traced call in a steady loop binds the same buffers each time (its inputs,
 * the weights and pooled outputs come back in the same order), so after the first call it
 * creates no bind groups. A reused group is valid: every buffer it names is bound again now,
 * so none has been destroyed.
 *
 * ```ts
 * const group = cache.get(site, bindings, () => device.createBindGroup({ layout, entries }));
 * ```
 */
export class BindGroupCache {
  readonly #sites = new WeakMap<object, Entry>();
  /** Bind groups created and reused so far (for tests and benches). */
  created = 0;
  reused = 0;

  get(site: object | undefined, bindings: Bindings, create: () => GPUBindGroup): GPUBindGroup {
    if (site === undefined) {
      this.created++;
      return create();
    }
    const last = this.#sites.get(site);
    if (last !== undefined && sameBindings(last, bindings)) {
      this.reused++;
      return last.group;
    }
    const group = create();
    this.created++;
    this.#sites.set(site, { ...bindings, group });
    return group;
  }
}

function sameBindings(a: Bindings, b: Bindings): boolean {
  if (a.params !== b.params || a.buffers.length !== b.buffers.length) return false;
  for (let k = 0; k < a.buffers.length; k++) if (a.buffers[k] !== b.buffers[k] || a.sizes[k] !== b.sizes[k]) return false;
  return true;
}
