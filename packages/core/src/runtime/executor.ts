import type { DType } from "../base/dtype.js";
import { KilnError } from "../base/errors.js";
import { type ConcreteShape, isConcrete, sizeOf } from "../base/shape.js";
import type { Graph, Operation, OpOutput } from "../ir/graph.js";
import type { ValueInfo } from "../ir/op.js";
import type { Backend, DataId, KernelFn } from "./backend.js";
import type { BackendRegistry } from "./backend_registry.js";
import { findClusters, type PendingStep } from "./fusion.js";
import { BufferPool } from "./buffer_pool.js";
import { attrsKey, liveOperations, subexpressionKey } from "./plan_passes.js";
import { type DataSlot, type SlotValue, dataSlot, freeSlot } from "./slots.js";

export { type DataSlot, type ResourceSlot, type SlotValue, dataSlot, freeSlot } from "./slots.js";

/** What a handler for a runtime-implemented op (variables, printing, calls) receives. */
export interface HandlerArgs {
  readonly op: Operation;
  readonly inputs: readonly SlotValue[];
  readonly backend: Backend;
  /** True if this step is the last reader of input `i` (so its buffer may be taken over). */
  readonly isLastUse: (i: number) => boolean;
  /** The graph the op belongs to (its function library holds nested functions). */
  readonly graph: Graph;
  readonly plans: PlanContext;
  /** Dead buffers of the running plan, for sub-plans (branches, loop bodies, calls) to reuse. */
  readonly pool: BufferPool;
}

/** Ops the runtime implements itself instead of a backend kernel. */
export type OpHandler = (args: HandlerArgs) => SlotValue[];

/** What plans need from their surroundings: kernels, handlers, and copying between backends. */
export interface PlanContext {
  readonly registry: BackendRegistry;
  readonly handlers: ReadonlyMap<string, OpHandler>;
}

/** An operation to schedule; a fused cluster carries its compiled kernel and output types. */
type ScheduledStep = PendingStep & {
  readonly fused?: { readonly run: KernelFn<any, any>; readonly infos: (ValueInfo & { shape: ConcreteShape })[] };
};

interface Step {
  readonly op: Operation;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly kernel?: { run: KernelFn<any, any>; backend: Backend };
  readonly handler?: OpHandler;
  /** Output shapes when they are known statically; otherwise inferred on each call. */
  readonly staticOutputs?: readonly (ValueInfo & { shape: ConcreteShape })[];
  /** Element counts of the static outputs (to find reusable buffers without recounting). */
  readonly staticSizes?: readonly number[];
  /** Slots whose last reader is this step. */
  readonly free: readonly number[];
  readonly lastUse: ReadonlySet<number>;
}

/**
 * A graph compiled for one backend: kernels resolved once, one slot per value (Identity
 * outputs alias their input's slot), and the slots each step is the last reader of, so
 * intermediates are freed as soon as they are dead. `run` walks the steps with no per-op
 * lookup.
 *
 * ```ts
 * const plan = new Plan(graph, backend, context);
 * const outputs = plan.run(inputSlots); // owned outputs now belong to the caller
 * ```
 */
export class Plan {
  readonly #steps: Step[] = [];
  #slotCount = 0;
  #inputSlots: number[] = [];
  #outputSlots: number[] = [];
  /** Slots holding the plan's constants, and their values (parallel arrays). */
  readonly #constantSlots: number[] = [];
  readonly #constantValues: DataSlot[] = [];
  /** A slot array with the constants filled in, reused by the next run (absent while a run holds it). */
  #idleSlots: (SlotValue | undefined)[] | undefined;

  constructor(
    readonly graph: Graph,
    readonly backend: Backend,
    readonly context: PlanContext,
  ) {
    try {
      this.#build();
    } catch (error) {
      // A plan that cannot be built (e.g. a missing kernel) keeps no constant buffers.
      this.dispose();
      throw error;
    }
  }

  /** Builds the plan: slot layout, then fusion, then the schedule of steps. */
  #build(): void {
    this.#schedule(this.#fuse(this.#layout()));
  }

  /**
   * Assigns a slot to every live value and uploads constants. Dead operations are skipped,
   * Identity outputs alias their input's slot, common subexpressions share slots, and
   * stateless ops on constants are folded. Returns the operations left to run.
   */
  #layout(): PendingStep[] {
    const { graph, backend } = this;
    const slotOf = new Map<OpOutput, number>();
    let next = 0;
    for (const input of graph.inputs) slotOf.set(input, next++);
    this.#inputSlots = graph.inputs.map((i) => slotOf.get(i)!);
    const pending: PendingStep[] = [];
    const constantSlots = new Map<number, DataSlot>();
    const seen = new Map<string, number[]>();
    for (const op of liveOperations(graph)) {
      if (op.type === "Placeholder") continue;
      const inputs = op.inputs.map((i) => slotOf.get(i)!);
      // CustomGradient passes its value (input 0) through; the rest only matters to gradients.
      if (op.type === "Identity" || op.type === "CustomGradient") {
        slotOf.set(op.outputs[0]!, inputs[0]!);
        continue;
      }
      const key = op.type === "Const" ? `Const${attrsKey(op.attrs)}` : subexpressionKey(op, inputs);
      const same = key === undefined ? undefined : seen.get(key);
      if (same !== undefined) {
        op.outputs.forEach((o, i) => slotOf.set(o, same[i]!));
        continue;
      }
      const outputs = op.outputs.map((o) => {
        slotOf.set(o, next);
        return next++;
      });
      if (key !== undefined) seen.set(key, outputs);
      if (op.type === "Const") {
        const attrs = op.attrs as { value: number[]; shape: number[]; dtype: DType };
        const values =
          attrs.dtype === "float32"
            ? Float32Array.from(attrs.value)
            : attrs.dtype === "int32"
              ? Int32Array.from(attrs.value)
              : Uint8Array.from(attrs.value);
        const slot = dataSlot(backend, backend.write(values, attrs.shape, attrs.dtype), attrs.shape, attrs.dtype, false);
        this.#constantSlots.push(outputs[0]!);
        this.#constantValues.push(slot);
        constantSlots.set(outputs[0]!, slot);
        continue;
      }
      if (this.#fold(op, inputs, outputs, constantSlots)) continue;
      pending.push({ op, inputs, outputs });
    }
    this.#slotCount = next;
    this.#outputSlots = graph.outputs.map((o) => {
      const slot = slotOf.get(o);
      if (slot === undefined) throw new KilnError(`graph '${graph.name}': output ${o.name} is not produced by the graph`);
      return slot;
    });
    return pending;
  }

  /**
   * Turns the remaining operations into steps: resolved kernels (or runtime handlers), the
   * slots each step is the last reader of (freed right after it; the caller's input slots
   * never), and static output shapes where the traced shapes can be trusted.
   */
  #schedule(steps: readonly ScheduledStep[]): void {
    const { backend, context } = this;
    const lastReader = new Map<number, number>();
    steps.forEach((p, index) => p.inputs.forEach((s) => lastReader.set(s, index)));
    for (const s of this.#outputSlots) lastReader.set(s, Number.POSITIVE_INFINITY);
    // The caller's inputs and the plan's constants outlive every run.
    const kept = new Set([...this.#inputSlots, ...this.#constantSlots]);
    steps.forEach((p, index) => {
      const dying = new Set(p.inputs.filter((s) => lastReader.get(s) === index && !kept.has(s)));
      // Outputs nobody reads die right after the step that makes them.
      for (const s of p.outputs) if (!lastReader.has(s)) dying.add(s);
      const common = { op: p.op, inputs: p.inputs, outputs: p.outputs, free: [...dying], lastUse: dying };
      if (p.fused !== undefined) {
        this.#steps.push({ ...common, kernel: { run: p.fused.run, backend }, staticOutputs: p.fused.infos, staticSizes: p.fused.infos.map((o) => sizeOf(o.shape)) });
        return;
      }
      const handler = context.handlers.get(p.op.type);
      // Traced shapes can be trusted only when the inputs' shapes were known too: with an
      // unknown input dim, `infer` must re-check the real shapes (a reshape to [2, 4] of a
      // [null, 4] input may meet a [3, 4] tensor).
      const known = p.op.inputs.every((i) => isConcrete(i.shape)) && p.op.outputs.every((o) => isConcrete(o.shape));
      const staticOutputs = known ? (p.op.outputs as unknown as (ValueInfo & { shape: ConcreteShape })[]) : undefined;
      this.#steps.push({
        ...common,
        ...(handler !== undefined ? { handler } : { kernel: context.registry.resolve(p.op.def, backend) }),
        ...(staticOutputs !== undefined ? { staticOutputs, staticSizes: staticOutputs.map((o) => sizeOf(o.shape)) } : {}),
      });
    });
  }

  /**
   * Elementwise fusion (DESIGN 6): runs of same-shape elementwise steps become one step when
   * the backend can compile the cluster into a single kernel.
   */
  #fuse(pending: readonly PendingStep[]): ScheduledStep[] {
    const compile = this.backend.compileFused?.bind(this.backend);
    if (compile === undefined) return [...pending];
    const lastReader = new Map<number, number>();
    pending.forEach((p, index) => p.inputs.forEach((s) => lastReader.set(s, index)));
    for (const s of this.#outputSlots) lastReader.set(s, Number.POSITIVE_INFINITY);
    const groups = findClusters(
      pending,
      (type) => this.context.handlers.has(type),
      (slot, index) => (lastReader.get(slot) ?? -1) > index,
    );
    const replaced = new Map<PendingStep, ScheduledStep | null>();
    for (const group of groups) {
      const run = compile(group.cluster);
      if (run === undefined || group.outputSlots.length === 0) continue;
      const infos = group.cluster.outputs.map((j) => ({ shape: group.cluster.shape, dtype: group.cluster.ops[j]!.dtype }));
      group.steps.forEach((step, i) =>
        replaced.set(step, i === 0 ? { op: step.op, inputs: group.inputSlots, outputs: group.outputSlots, fused: { run, infos } } : null),
      );
    }
    return pending.flatMap((step) => {
      const r = replaced.get(step);
      return r === undefined ? [step] : r === null ? [] : [r];
    });
  }

  /**
   * Constant folding: a stateless kernel op whose inputs are all constants runs once, now,
   * and its outputs become constants of the plan.
   */
  #fold(op: Operation, inputs: readonly number[], outputs: readonly number[], constants: Map<number, DataSlot>): boolean {
    if (op.def.stateful === true || this.context.handlers.has(op.type) || inputs.length === 0 || !inputs.every((s) => constants.has(s)))
      return false;
    const { run, backend } = this.context.registry.resolve(op.def, this.backend);
    if (backend !== this.backend) return false;
    const data = inputs.map((s) => constants.get(s)!);
    const infos = op.def.infer(data, op.attrs) as (ValueInfo & { shape: ConcreteShape })[];
    const ids = run({ inputs: data, attrs: op.attrs, outputs: infos, backend });
    outputs.forEach((slot, i) => {
      const value = dataSlot(backend, ids[i]!, infos[i]!.shape, infos[i]!.dtype, false);
      this.#constantSlots.push(slot);
      this.#constantValues.push(value);
      constants.set(slot, value);
    });
    return true;
  }

  /**
   * Runs the plan. `inputs` fill the graph's input slots (usually borrowed). Returns one
   * value per graph output; owned outputs belong to the caller. Dead intermediates go to
   * `pool` for later steps to write into; without one, the run uses its own and drains it.
   * On error every owned intermediate is freed before the error propagates.
   */
  run(inputs: readonly SlotValue[], pool?: BufferPool): SlotValue[] {
    const runPool = pool ?? new BufferPool(this.backend);
    const slots = this.#takeSlots();
    const inputSlots = this.#inputSlots;
    const outputSlots = this.#outputSlots;
    for (let i = 0; i < inputSlots.length; i++) slots[inputSlots[i]!] = inputs[i];
    try {
      const steps = this.#steps;
      for (let i = 0; i < steps.length; i++) this.#runStep(steps[i]!, slots, runPool);
      const outputs: SlotValue[] = new Array(outputSlots.length);
      for (let i = 0; i < outputSlots.length; i++) {
        const value = slots[outputSlots[i]!]!;
        // A slot returned twice is owned (or released) by its first output only.
        const repeated = value.kind === "data" && outputs.indexOf(value) >= 0;
        outputs[i] = repeated ? dataSlot(value.backend, value.dataId, value.shape, value.dtype, false) : value;
      }
      // Only inputs and outputs are still set: clear them and keep the array for the next run.
      for (let i = 0; i < inputSlots.length; i++) slots[inputSlots[i]!] = undefined;
      for (let i = 0; i < outputSlots.length; i++) slots[outputSlots[i]!] = undefined;
      this.#fillConstants(slots);
      this.#idleSlots = slots;
      return outputs;
    } catch (error) {
      const callers = new Set<SlotValue | undefined>(inputs);
      for (const value of new Set(slots)) if (value?.kind === "data" && !callers.has(value)) freeSlot(value);
      throw error;
    } finally {
      if (pool === undefined) runPool.drain();
    }
  }

  /** The idle slot array (constants in place), or a fresh one when a run already holds it. */
  #takeSlots(): (SlotValue | undefined)[] {
    const idle = this.#idleSlots;
    if (idle !== undefined) {
      this.#idleSlots = undefined;
      return idle;
    }
    const slots = new Array<SlotValue | undefined>(this.#slotCount);
    this.#fillConstants(slots);
    return slots;
  }

  #fillConstants(slots: (SlotValue | undefined)[]): void {
    const constantSlots = this.#constantSlots;
    for (let i = 0; i < constantSlots.length; i++) slots[constantSlots[i]!] = this.#constantValues[i];
  }

  /** Frees the plan's constant buffers. */
  dispose(): void {
    for (const value of this.#constantValues) value.backend.disposeData(value.dataId);
    this.#constantSlots.length = 0;
    this.#constantValues.length = 0;
    this.#idleSlots = undefined;
  }

  #runStep(step: Step, slots: (SlotValue | undefined)[], pool: BufferPool): void {
    const inputs: SlotValue[] = new Array(step.inputs.length);
    for (let i = 0; i < step.inputs.length; i++) inputs[i] = slots[step.inputs[i]!]!;
    if (step.handler !== undefined) {
      const results = step.handler({
        op: step.op,
        inputs,
        backend: this.backend,
        isLastUse: (i) => step.lastUse.has(step.inputs[i]!),
        graph: this.graph,
        plans: this.context,
        pool,
      });
      for (let i = 0; i < step.outputs.length; i++) slots[step.outputs[i]!] = results[i];
    } else {
      this.#runKernel(step, inputs, slots, pool);
    }
    const free = step.free;
    for (let i = 0; i < free.length; i++) {
      const value = slots[free[i]!];
      if (value?.kind === "data") pool.give(value);
      slots[free[i]!] = undefined;
    }
  }

  /** Runs a kernel step, offering it dead buffers of the right size to write its outputs into. */
  #runKernel(step: Step, inputs: SlotValue[], slots: (SlotValue | undefined)[], pool: BufferPool): void {
    const { run, backend } = step.kernel!;
    let data = inputs as DataSlot[];
    let moved = false;
    for (let i = 0; i < inputs.length; i++) {
      const slot = inputs[i] as DataSlot;
      if (slot.kind === "data" && slot.backend === backend) continue;
      // A fallback kernel on another backend (or a resource in the wrong place): copy first.
      if (!moved) data = [...data];
      moved = true;
      data[i] = this.#dataOn(slot, backend, step, i);
    }
    const outputs = step.staticOutputs ?? (step.op.def.infer(data, step.op.attrs) as (ValueInfo & { shape: ConcreteShape })[]);
    const sizes = step.staticSizes ?? outputs.map((o) => sizeOf(o.shape));
    const count = step.outputs.length;
    let out: (DataId | undefined)[] | undefined;
    if (backend === pool.backend) {
      out = new Array(count);
      for (let i = 0; i < count; i++) out[i] = pool.take(outputs[i]!.dtype, sizes[i]!);
    }
    try {
      let ids: DataId[];
      try {
        ids = run({ inputs: data, attrs: step.op.attrs, outputs, backend, out });
      } catch (error) {
        // The offered buffers are still the pool's.
        if (out !== undefined) for (let i = 0; i < count; i++) if (out[i] !== undefined) pool.keep(out[i]!, outputs[i]!.dtype, sizes[i]!);
        throw error;
      }
      for (let i = 0; i < count; i++) {
        const offered = out?.[i];
        // A kernel that allocated its own output leaves the offered buffer for a later step.
        if (offered !== undefined && ids[i] !== offered) pool.keep(offered, outputs[i]!.dtype, sizes[i]!);
        slots[step.outputs[i]!] = dataSlot(backend, ids[i]!, outputs[i]!.shape, outputs[i]!.dtype, true, undefined, sizes[i]);
      }
    } finally {
      // Copies made for a fallback kernel are temporary.
      if (moved) for (let i = 0; i < data.length; i++) if (data[i] !== inputs[i]) data[i]!.backend.disposeData(data[i]!.dataId);
    }
  }

  /** Moves an input to the backend a (fallback) kernel runs on; returns a temporary owned copy. */
  #dataOn(value: DataSlot, backend: Backend, step: Step, index: number): DataSlot {
    if (value.kind !== "data") throw new KilnError(`${step.op.name}: input ${index} is a resource, but ${step.op.type} expects a tensor`);
    if (value.backend === backend) return value;
    const read = value.backend.readSync;
    if (read === undefined)
      throw new KilnError(
        `${step.op.name}: cannot move data from async backend '${value.backend.name}' to '${backend.name}' inside a function`,
      );
    const dataId = backend.write(read.call(value.backend, value.dataId).slice(), value.shape, value.dtype);
    return dataSlot(backend, dataId, value.shape, value.dtype, true);
  }
}
