import { bytesPerElement, type DType } from "../base/dtype.js";

/** One buffer of a memory plan: its dtype and element count. */
export interface BufferSpec {
  readonly dtype: DType;
  readonly size: number;
}

/** A step as the memory planner sees it: the slots it reads, and its outputs when their sizes are static. */
export interface PlannedStep {
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** Output dtypes and element counts; absent when the step's outputs cannot take planned buffers. */
  readonly outputSpecs?: readonly BufferSpec[];
  /** For an in-place op (`OpDef.inPlace`): the input whose buffer output 0 may keep writing into. */
  readonly inPlace?: number;
}

/** Which buffer each planned slot writes into, the buffers, and their total bytes (the plan's planned peak). */
export interface MemoryPlan {
  readonly bufferOf: ReadonlyMap<number, number>;
  readonly buffers: readonly BufferSpec[];
  readonly bytes: number;
}

/**
 * Static memory planning (docs/architecture.md, "Memory"): gives every intermediate
 * with a static size a buffer ahead of time, reusing a buffer once the value in it has had
 * its last reader, so a run does no pool lookups. `lastReader(slot)` is the index of the
 * last step reading the slot (through views too), or undefined when nothing reads it;
 * `escapes(slot)` says a value outlives the run (a graph output, the root of a returned
 * view), which never takes a planned buffer. A buffer freed by step k is reused from step
 * k + 1 on, never by step k's own outputs (kernels may not write over their inputs),
 * except output 0 of an in-place step (`inPlace`), which keeps the buffer of the input
 * that dies there (a list written row by row stays in one buffer).
 *
 * ```ts
 * const plan = planMemory(steps, (s) => lastReader.get(s), (s) => outputs.has(s));
 * plan.bufferOf.get(slot); // the buffer index slot writes into
 * ```
 */
export function planMemory(
  steps: readonly PlannedStep[],
  lastReader: (slot: number) => number | undefined,
  escapes: (slot: number) => boolean,
): MemoryPlan {
  const bufferOf = new Map<number, number>();
  const buffers: BufferSpec[] = [];
  const free = new Map<string, number[]>();
  // Buffers whose value dies at step k (their last reader), released after it.
  const dyingAt = new Map<number, number[]>();
  steps.forEach((step, k) => {
    step.outputSpecs?.forEach((spec, i) => {
      const slot = step.outputs[i]!;
      if (escapes(slot)) return;
      const key = `${spec.dtype}:${spec.size}`;
      let buffer = i === 0 ? inheritedBuffer(step, k, spec) : undefined;
      if (buffer === undefined) buffer = free.get(key)?.pop();
      if (buffer === undefined) buffer = buffers.push(spec) - 1;
      bufferOf.set(slot, buffer);
      const death = lastReader(slot) ?? k;
      let list = dyingAt.get(death);
      if (list === undefined) dyingAt.set(death, (list = []));
      list.push(buffer);
    });
    for (const buffer of dyingAt.get(k) ?? []) {
      const spec = buffers[buffer]!;
      const key = `${spec.dtype}:${spec.size}`;
      let list = free.get(key);
      if (list === undefined) free.set(key, (list = []));
      list.push(buffer);
    }
  });
  /** The planned buffer of an in-place step's input dying at step `k`, taken out of the dying list. */
  function inheritedBuffer(step: PlannedStep, k: number, spec: BufferSpec): number | undefined {
    const slot = step.inPlace === undefined ? undefined : step.inputs[step.inPlace];
    const buffer = slot === undefined ? undefined : bufferOf.get(slot);
    if (buffer === undefined || lastReader(slot!) !== k) return undefined;
    const held = buffers[buffer]!;
    const dying = dyingAt.get(k);
    const at = dying?.indexOf(buffer) ?? -1;
    if (held.dtype !== spec.dtype || held.size !== spec.size || at < 0) return undefined;
    dying!.splice(at, 1);
    return buffer;
  }
  const bytes = buffers.reduce((total, b) => total + b.size * bytesPerElement(b.dtype), 0);
  return { bufferOf, buffers, bytes };
}
