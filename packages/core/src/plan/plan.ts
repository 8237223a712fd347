import { bytesPerElement, type DataArray, type DType } from "../base/dtype.js";
import { KilnError, ResourceExhaustedError } from "../base/errors.js";
import { isConcrete, sizeOf } from "../base/shape.js";
import { checkTensorSizes } from "../base/tensor_size.js";
import { type Backend, type DataId, type FusedCluster, type KernelFn, type KernelKey, type PlanPreparation, readsSync } from "../backend/backend.js";
import type { BackendRegistry } from "../backend/backend_registry.js";
import type { FuncGraph } from "../ir/func_graph.js";
import type { Operation, OpOutput } from "../ir/graph.js";
import { kernelArity, withAttrInputs, type ConcreteInfo } from "../ir/op.js";
import { BufferPool } from "./buffer_pool.js";
import { type MemoryPlan, planMemory } from "./memory_plan.js";
import { driveSync, type ExecuteArgs, type Execution, type ExecutionContext, type HostRun, PlanWait, readHost } from "./execution.js";
import { findClusters, type PendingStep } from "./fusion.js";
import { attrsKey, liveOperations, subexpressionKey } from "./plan_passes.js";
import { PlanSummary, type PlanLayoutRecord } from "./plan_summary.js";
import { MaxPoolGradWithArgmax, MaxPoolWithArgmax, pairMaxPools } from "./pool_argmax.js";
import { type DataSlot, dataSlot, freeSlot, type SlotValue } from "./slots.js";

/** A value's concrete type, as kernels see it. */

/** An operation to schedule; a fused cluster carries its compiled kernel and output types. */
type ScheduledStep = PendingStep & {
  readonly fused?: { readonly run: KernelFn<any, any>; readonly infos: ConcreteInfo[]; readonly cluster: FusedCluster; readonly ops: readonly Operation[] };
};

/** How a kernel step finds its function: fixed when shapes are static, else specialized per call. */
interface StepKernel {
  readonly backend: Backend;
  readonly run: KernelFn<any, any> | undefined;
  specialize(inputs: readonly ConcreteInfo[], outputs: readonly ConcreteInfo[], attrs: object): KernelFn<any, any>;
}

interface Step {
  readonly op: Operation;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly kernel?: StepKernel;
  /** For an op the runtime executes itself (a call, If, While, PrintV2, a variable op). */
  readonly host?: HostRun;
  /** Output shapes when they are known statically; otherwise inferred on each call. */
  readonly staticOutputs?: readonly ConcreteInfo[];
  /** Element counts of the static outputs (to find reusable buffers without recounting). */
  readonly staticSizes?: readonly number[];
  /** Bytes of the largest static output (checked against the size limit without recounting). */
  readonly staticBytes?: number;
  /**
   * Arrays a synchronous run reuses for a kernel step's inputs and offered outputs, instead
   * of allocating two per step (a kernel never keeps them past its call, and a synchronous
   * run cannot re-enter a kernel step of the same plan).
   */
  readonly scratch?: { readonly inputs: SlotValue[]; readonly out: (DataId | undefined)[] };
  /** For an op given attr inputs (a shape tensor): the values are read on the host before each run. */
  readonly attrInputs?: true;
  /** For a compiled kernel with static shapes: its specialization key (for `Backend.prepare`). */
  readonly kernelKey?: KernelKey;
  /** For a fused step: the cluster the backend compiled and the graph's operations it replaces. */
  readonly fused?: { readonly cluster: FusedCluster; readonly ops: readonly Operation[] };
  /** For a view op (Reshape, ...): output 0 is input 0's buffer with the output's shape. */
  readonly view?: true;
  /** Per output, the planned buffer it writes into (see `planMemory`), when it has one. */
  readonly planned?: readonly (number | undefined)[];
  /**
   * For an op whose output may take over an input's buffer (`OpDef.inPlace`), when that
   * input dies here: which input, and, when it is one of the plan's inputs, its position
   * there (such a buffer is taken over only when the caller donates it, see `run`).
   */
  readonly inPlace?: { readonly input: number; readonly planInput: number };
  /** Slots whose last reader is this step. */
  readonly free: readonly number[];
  readonly lastUse: ReadonlySet<number>;
}

/**
 * Frees the constants of plans that were collected without `dispose()` (the plans of a
 * `tf.function` dropped by its user): on cpu they are ordinary arrays, but on wasm or a GPU
 * they hold the backend's memory. The held value is the constants list, never the plan.
 */
const collectedPlans = new FinalizationRegistry<readonly DataSlot[]>((constants) => {
  for (const value of constants) {
    try {
      value.backend.disposeData(value.dataId);
    } catch {
      // Its backend was disposed in the meantime, and its memory with it.
    }
  }
});

/**
 * A graph compiled for one backend: kernels resolved once, one slot per value (alias ops
 * such as Identity share their input's slot), and the slots each step is the last reader
 * of, so intermediates are freed (into the run's buffer pool) as soon as they are dead.
 *
 * A run is described once and driven two ways: `run` synchronously, where every
 * host read is answered at once, and `execute` as an `Execution` that yields host reads to
 * an asynchronous driver. `mayRead` says whether a run can need a host read that only an
 * asynchronous driver can answer; when it is false both ways are the same.
 *
 * ```ts
 * const plan = new Plan(graph, backend, registry);
 * const outputs = plan.run(inputSlots, undefined, context); // owned outputs now belong to the caller
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
  /** The buffers statically planned intermediates write into (see `planMemory`), reserved from the run's pool. */
  #memory: MemoryPlan | undefined;
  /** The pool holding this plan's reserved buffers, released on `dispose`. */
  #reservedIn: BufferPool | undefined;
  /** For each slot a view op fills, the slot that owns its buffer (see `#schedule`). */
  readonly #viewRoots = new Map<number, number>();
  /** The fused clusters the backend compiled for this plan. */
  readonly #clusters: FusedCluster[] = [];
  /** A slot array with the constants filled in, reused by the next run (absent while a run holds it). */
  #idleSlots: (SlotValue | undefined)[] | undefined;
  /** True if a run may need a host read that only an asynchronous driver can answer. */
  readonly mayRead: boolean;
  /** The backend's `prepare` of this plan, while it runs (see `Backend.prepare`). */
  #preparing: PlanWait | undefined;
  /** Runs in progress and holders between runs (a While between iterations), see `hold`. */
  #users = 0;
  /** Set by a `dispose()` that came while the plan was in use: the last user disposes it. */
  #disposeWhenIdle = false;
  /** What layout did to the graph (names of slots, operations it removed), for `summary()`. */
  readonly #record: PlanLayoutRecord = { slotNames: [], dead: [], aliases: [], merged: [], folded: [], constants: [] };

  constructor(
    readonly graph: FuncGraph,
    readonly backend: Backend,
    readonly registry: BackendRegistry,
  ) {
    try {
      this.#schedule(this.#fuse(this.#layout()));
      collectedPlans.register(this, this.#constantValues, this);
    } catch (error) {
      // A plan that cannot be built (e.g. a missing kernel) keeps no constant buffers.
      this.dispose();
      throw error;
    }
    // On a backend with synchronous reads nothing ever waits. Elsewhere, runtime-executed
    // ops may read (conservatively: any of them) and so may kernels running on a fallback.
    this.mayRead =
      !readsSync(backend) &&
      this.#steps.some((s) => (s.host !== undefined && this.#hostReads(s.op)) || s.attrInputs === true || (s.kernel !== undefined && s.kernel.backend !== backend));
    if (backend.prepare !== undefined) this.#startPreparing(backend.prepare.bind(backend));
  }

  /** Whether a runtime-executed op may need a host read here (see `OpExecution.reads`). */
  #hostReads(op: Operation): boolean {
    const execution = op.def.execution;
    if (execution?.kind !== "host" || execution.reads === undefined) return true;
    return execution.reads === false ? false : execution.reads(op.attrs, this.graph.library, this.backend, this.registry);
  }

  /**
   * Hands the backend what this plan will compile (kernels by specialization key, fused
   * clusters), so it can compile ahead; asynchronous runs wait for it, synchronous ones go
   * on (the backend compiles on first use). A failed preparation is only a missed warm-up.
   */
  #startPreparing(prepare: (work: PlanPreparation) => Promise<void>): void {
    const kernels = this.#steps.flatMap((s) => (s.kernelKey === undefined ? [] : [{ op: s.op.def, key: s.kernelKey }]));
    const work: PlanPreparation = { kernels, clusters: this.#clusters };
    const waiting = new PlanWait(
      prepare(work).then(
        () => {
          this.#preparing = undefined;
        },
        () => {
          this.#preparing = undefined;
        },
      ),
    );
    this.#preparing = waiting;
  }

  /**
   * Assigns a slot to every live value and uploads constants. Dead operations are skipped,
   * alias ops (Identity, StopGradient, CustomGradient) share their input's slot, common
   * subexpressions share slots, stateless kernel ops on constants are folded, and a max pool
   * paired with its gradient runs as the argmax pair where the backend has it. Returns the
   * operations left to run.
   */
  #layout(): PendingStep[] {
    const { graph, backend } = this;
    const slotOf = new Map<OpOutput, number>();
    let next = 0;
    const record = this.#record;
    for (const input of graph.inputs) {
      slotOf.set(input, next++);
      record.slotNames.push(input.op.name);
    }
    this.#inputSlots = graph.inputs.map((i) => slotOf.get(i)!);
    const pending: PendingStep[] = [];
    const constantSlots = new Map<number, DataSlot>();
    const seen = new Map<string, number[]>();
    const live = liveOperations(graph);
    const liveSet = new Set(live);
    for (const op of graph.operations) if (!liveSet.has(op)) record.dead.push(op);
    const pairs = pairMaxPools(
      live,
      () =>
        this.registry.hasKernel(MaxPoolWithArgmax.name, backend.name) && this.registry.hasKernel(MaxPoolGradWithArgmax.name, backend.name),
    );
    for (const traced of live) {
      // A paired max pool or its gradient runs as its argmax twin (see `pairMaxPools`).
      const op = pairs?.forward.get(traced) ?? pairs?.backward.get(traced) ?? traced;
      const kind = op.def.execution?.kind;
      if (kind === "input") continue;
      const inputs = op.inputs.map((i) => slotOf.get(i)!);
      if (kind === "alias") {
        slotOf.set(op.outputs[0]!, inputs[0]!);
        record.aliases.push(op);
        continue;
      }
      const key = kind === "constant" ? `Const${attrsKey(op.attrs)}` : kind === "host" ? undefined : subexpressionKey(op, inputs);
      const same = key === undefined ? undefined : seen.get(key);
      if (same !== undefined) {
        op.outputs.forEach((o, i) => slotOf.set(o, same[i]!));
        if (op !== traced) traced.outputs.forEach((o, i) => slotOf.set(o, same[i]!));
        record.merged.push(op);
        continue;
      }
      const outputs = op.outputs.map((o) => {
        slotOf.set(o, next);
        record.slotNames.push(o.name);
        return next++;
      });
      if (key !== undefined) seen.set(key, outputs);
      if (op !== traced) traced.outputs.forEach((o, i) => slotOf.set(o, outputs[i]!));
      if (kind === "constant") {
        this.#addConstant(outputs[0]!, constantValue(op, backend), constantSlots);
        record.constants.push(op);
        continue;
      }
      if (kind === undefined && this.#fold(op, inputs, outputs, constantSlots)) {
        record.folded.push(op);
        continue;
      }
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

  #addConstant(slot: number, value: DataSlot, constants: Map<number, DataSlot>): void {
    this.#constantSlots.push(slot);
    this.#constantValues.push(value);
    constants.set(slot, value);
  }

  /**
   * Turns the remaining operations into steps: resolved kernels (or runtime-executed ops),
   * the slots each step is the last reader of (freed right after it; the caller's input
   * slots never), and static output shapes where the traced shapes can be trusted.
   */
  #schedule(steps: readonly ScheduledStep[]): void {
    const { backend } = this;
    // A view reads its root's buffer: the root lives as long as its last view is read.
    const rootOf = this.#viewRoots;
    for (const p of steps) if (p.fused === undefined && p.op.def.execution?.kind === "view") rootOf.set(p.outputs[0]!, rootOf.get(p.inputs[0]!) ?? p.inputs[0]!);
    const root = (s: number) => rootOf.get(s) ?? s;
    const lastReader = new Map<number, number>();
    steps.forEach((p, index) => p.inputs.forEach((s) => lastReader.set(root(s), index)));
    for (const s of this.#outputSlots) lastReader.set(root(s), Number.POSITIVE_INFINITY);
    // The caller's inputs and the plan's constants outlive every run.
    const kept = new Set([...this.#inputSlots, ...this.#constantSlots]);
    steps.forEach((p, index) => {
      const dying = new Set(p.inputs.map(root).filter((s) => lastReader.get(s) === index && !kept.has(s)));
      // Outputs nobody reads (nor reads through a view) die right after the step that makes them.
      for (const s of p.outputs) if (!lastReader.has(s) && !rootOf.has(s)) dying.add(s);
      const inPlace = this.#inPlaceInput(p, index, lastReader);
      const common = { op: p.op, inputs: p.inputs, outputs: p.outputs, free: [...dying], lastUse: dying, ...(inPlace !== undefined ? { inPlace } : {}) };
      if (p.fused !== undefined) {
        const { run, infos, cluster, ops } = p.fused;
        const kernel: StepKernel = { backend, run, specialize: () => run };
        this.#steps.push({ ...common, kernel, fused: { cluster, ops }, staticOutputs: infos, staticSizes: infos.map((o) => sizeOf(o.shape)) });
        return;
      }
      const execution = p.op.def.execution;
      if (execution?.kind === "host") {
        this.#steps.push({ ...common, host: execution.run as HostRun });
        return;
      }
      // Traced shapes can be trusted only when the inputs' shapes were known too: with an
      // unknown input dim, `infer` must re-check the real shapes (a reshape to [2, 4] of a
      // [null, 4] input may meet a [3, 4] tensor).
      const dynamicAttrs = p.op.inputs.length > (kernelArity(p.op.def) ?? Number.POSITIVE_INFINITY);
      const known = !dynamicAttrs && p.op.inputs.every((i) => isConcrete(i.shape)) && p.op.outputs.every((o) => isConcrete(o.shape));
      const staticOutputs = known ? (p.op.outputs as unknown as ConcreteInfo[]) : undefined;
      if (execution?.kind === "view") {
        this.#steps.push({
          ...common,
          view: true,
          ...(dynamicAttrs ? { attrInputs: true as const } : {}),
          ...(staticOutputs !== undefined ? { staticOutputs, staticSizes: staticOutputs.map((o) => sizeOf(o.shape)) } : {}),
        });
        return;
      }
      const resolved = this.registry.resolve(p.op.def, backend);
      const inputInfos = p.op.inputs as unknown as ConcreteInfo[];
      // With static shapes a compiled kernel is specialized once, now.
      const run = resolved.run ?? (staticOutputs !== undefined ? resolved.specialize(inputInfos, staticOutputs, p.op.attrs) : undefined);
      const kernelKey = staticOutputs !== undefined ? resolved.keyFor(inputInfos, staticOutputs, p.op.attrs) : undefined;
      this.#steps.push({
        ...common,
        ...(dynamicAttrs ? { attrInputs: true as const } : {}),
        ...(kernelKey !== undefined ? { kernelKey } : {}),
        kernel: { backend: resolved.backend, run, specialize: resolved.specialize },
        ...(staticOutputs !== undefined ? { staticOutputs, staticSizes: staticOutputs.map((o) => sizeOf(o.shape)) } : {}),
      });
    });
    this.#planMemory((s) => lastReader.get(root(s)), (s) => lastReader.get(root(s)) === Number.POSITIVE_INFINITY || rootOf.has(s));
    this.#prepareKernelSteps();
  }

  /** Gives each kernel step what its runs reuse: its largest static output's bytes, and its scratch arrays. */
  #prepareKernelSteps(): void {
    const steps = this.#steps;
    for (let k = 0; k < steps.length; k++) {
      const s = steps[k]!;
      if (s.host !== undefined) continue;
      const staticBytes = s.staticOutputs?.reduce((most, o, i) => Math.max(most, s.staticSizes![i]! * bytesPerElement(o.dtype)), 0);
      steps[k] = {
        ...s,
        ...(staticBytes !== undefined ? { staticBytes } : {}),
        scratch: { inputs: new Array<SlotValue>(s.inputs.length), out: new Array<DataId | undefined>(s.outputs.length) },
      };
    }
  }

  /**
   * The input whose buffer a step's output may take over (`OpDef.inPlace`), when this step
   * is its last reader: not a constant, not an output, not a view or viewed, and read by no
   * other input of the step. Whether the buffer is really free is decided per run.
   */
  #inPlaceInput(p: PendingStep, index: number, lastReader: ReadonlyMap<number, number>): Step["inPlace"] {
    const k = p.op.def.inPlace;
    if (k === undefined || p.op.def.execution !== undefined) return undefined;
    const slot = p.inputs[k];
    if (slot === undefined || this.#viewRoots.has(slot) || this.#constantSlots.includes(slot)) return undefined;
    if (lastReader.get(slot) !== index || [...this.#viewRoots.values()].includes(slot)) return undefined;
    if (p.inputs.some((s, i) => i !== k && (s === slot || this.#viewRoots.get(s) === slot))) return undefined;
    return { input: k, planInput: this.#inputSlots.indexOf(slot) };
  }

  /**
   * Gives the intermediates of kernel steps with static shapes buffers ahead of time (see
   * `planMemory`): a run writes them there without looking in the pool. Views, values that
   * escape the run and values viewed later keep the pool's way.
   */
  #planMemory(lastReader: (slot: number) => number | undefined, escapes: (slot: number) => boolean): void {
    const viewed = new Set(this.#viewRoots.values());
    const steps = this.#steps;
    const memory = planMemory(
      steps.map((s) => ({
        inputs: s.inputs,
        outputs: s.outputs,
        ...(s.kernel !== undefined && s.kernel.backend === this.backend && s.view !== true && s.staticOutputs !== undefined
          ? { outputSpecs: s.staticOutputs.map((o, i) => ({ dtype: o.dtype, size: s.staticSizes![i]! })) }
          : {}),
        ...(s.inPlace !== undefined && s.inPlace.planInput < 0 ? { inPlace: s.inPlace.input } : {}),
      })),
      lastReader,
      (slot) => escapes(slot) || viewed.has(slot),
    );
    if (memory.buffers.length === 0) return;
    this.#memory = memory;
    steps.forEach((s, k) => {
      if (!s.outputs.some((o) => memory.bufferOf.has(o))) return;
      steps[k] = { ...s, planned: s.outputs.map((o) => memory.bufferOf.get(o)) };
    });
  }

  /** Bytes of the buffers planned ahead for this plan's intermediates (0 when nothing is static). */
  get plannedBytes(): number {
    return this.#memory?.bytes ?? 0;
  }

  /**
   * Elementwise fusion: runs of elementwise steps of one shape become one step
   * when the backend compiles the cluster into a single kernel.
   */
  #fuse(pending: readonly PendingStep[]): ScheduledStep[] {
    const backend = this.backend;
    if (backend.compileFused === undefined || !backend.caps.fusion.elementwise) return [...pending];
    const lastReader = new Map<number, number>();
    pending.forEach((p, index) => p.inputs.forEach((s) => lastReader.set(s, index)));
    for (const s of this.#outputSlots) lastReader.set(s, Number.POSITIVE_INFINITY);
    const groups = findClusters(pending, backend.caps.fusion, (slot, index) => (lastReader.get(slot) ?? -1) > index);
    const replaced = new Map<PendingStep, ScheduledStep | null>();
    for (const group of groups) {
      const run = backend.compileFused(group.cluster);
      if (run === undefined || group.outputSlots.length === 0) continue;
      this.#clusters.push(group.cluster);
      const infos = group.cluster.outputs.map((j) => ({ shape: group.cluster.shape, dtype: group.cluster.ops[j]!.dtype }));
      group.steps.forEach((step, i) =>
        replaced.set(
          step,
          i === 0
            ? { op: step.op, inputs: group.inputSlots, outputs: group.outputSlots, fused: { run, infos, cluster: group.cluster, ops: group.steps.map((s) => s.op) } }
            : null,
        ),
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
    if (op.def.stateful === true || inputs.length === 0 || !inputs.every((s) => constants.has(s))) return false;
    if (inputs.length > (kernelArity(op.def) ?? Number.POSITIVE_INFINITY)) return false;
    const resolved = this.registry.resolve(op.def, this.backend);
    if (resolved.backend !== this.backend) return false;
    const data = inputs.map((s) => constants.get(s)!);
    const infos = op.def.infer(data, op.attrs) as ConcreteInfo[];
    const run = resolved.run ?? resolved.specialize(data, infos, op.attrs);
    const ids = run({ inputs: data, attrs: op.attrs, outputs: infos, backend: this.backend });
    outputs.forEach((slot, i) => this.#addConstant(slot, dataSlot(this.backend, ids[i]!, infos[i]!.shape, infos[i]!.dtype, false), constants));
    return true;
  }

  /**
   * Runs the plan synchronously. `inputs` fill the graph's input slots (usually borrowed).
   * Returns one value per graph output; owned outputs belong to the caller. Dead
   * intermediates go to `pool` for later steps to write into; without one, the run uses its
   * own and drains it. On error every owned intermediate is freed before the error propagates.
   * `donated[k]` lets the run take over input `k`'s buffer for an in-place step (a loop
   * variable the caller drops after the run): it then marks that input as no longer owned.
   */
  run(inputs: readonly SlotValue[], pool: BufferPool | undefined, context: ExecutionContext, donated?: readonly boolean[]): SlotValue[] {
    const runPool = pool ?? new BufferPool(this.backend);
    const planned = this.#reserve(runPool);
    const slots = this.#begin(inputs);
    this.#users++;
    try {
      const steps = this.#steps;
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i]!;
        if (step.host !== undefined) {
          const results = step.host(this.#hostArgs(step, slots, runPool, context));
          this.#finishHost(step, slots, Array.isArray(results) ? results : driveSync(results, step.op.name));
        } else {
          const inputs = this.#stepInputs(step, slots, step.scratch!.inputs);
          if (step.attrInputs === true) this.#runWithAttrInputs(step, inputs, step.op.def.attrInputs!.map((spec) => readNow(inputs[spec.input]!, step)), slots, runPool, context.maxTensorBytes);
          else this.#runKernel(step, inputs, slots, runPool, step.op.attrs, context.maxTensorBytes, planned, donated, step.scratch!.out);
          inputs.fill(undefined as never);
        }
        this.#free(step, slots, runPool);
      }
      return this.#end(slots);
    } catch (error) {
      this.#abandon(slots, inputs);
      throw error;
    } finally {
      this.#endRun(runPool, planned, pool === undefined);
    }
  }

  /** The same run as `run`, as an execution that yields the host reads it needs (see `Execution`). */
  *execute(inputs: readonly SlotValue[], pool: BufferPool | undefined, context: ExecutionContext, donated?: readonly boolean[]): Execution<SlotValue[]> {
    if (this.#preparing !== undefined) yield this.#preparing;
    const runPool = pool ?? new BufferPool(this.backend);
    const planned = this.#reserve(runPool);
    const slots = this.#begin(inputs);
    this.#users++;
    try {
      for (const step of this.#steps) {
        if (step.host !== undefined) {
          const results = step.host(this.#hostArgs(step, slots, runPool, context));
          this.#finishHost(step, slots, Array.isArray(results) ? results : yield* results);
        } else {
          const inputs = this.#stepInputs(step, slots);
          if (step.attrInputs === true) {
            const values: DataArray[] = [];
            for (const spec of step.op.def.attrInputs!) values.push(yield* readHost(inputs[spec.input] as DataSlot));
            this.#runWithAttrInputs(step, inputs, values, slots, runPool, context.maxTensorBytes);
          } else if (step.view === true) {
            this.#runKernel(step, inputs, slots, runPool, step.op.attrs, context.maxTensorBytes);
          } else {
            const read = yield* this.#readAsyncInputs(step, inputs);
            try {
              this.#runKernel(step, inputs, slots, runPool, step.op.attrs, context.maxTensorBytes, planned, donated);
            } finally {
              for (const temporary of read) freeSlot(temporary);
            }
          }
        }
        this.#free(step, slots, runPool);
      }
      return this.#end(slots);
    } catch (error) {
      this.#abandon(slots, inputs);
      throw error;
    } finally {
      this.#endRun(runPool, planned, pool === undefined);
    }
  }

  /**
   * The fused clusters the backend compiled for this plan, in plan order (for tools that show
   * what a backend generated, such as the webgpu backend's `fusedKernelWgsl`).
   */
  get clusters(): readonly FusedCluster[] {
    return this.#clusters;
  }

  /**
   * What this plan runs, after dead-code elimination, alias sharing, common subexpressions,
   * constant folding and fusion: its steps in order, and the graph's operations it
   * removed. `PlanSummary` prints as text and as Graphviz DOT.
   *
   * ```ts
   * cf.planFor(tf.backend()).summary().toString(); // "plan of __inference_f_1 on cpu: 1 step ..."
   * ```
   */
  summary(functions: PlanSummary["functions"] = []): PlanSummary {
    const steps = this.#steps.map((s) => ({
      op: s.op,
      inputs: s.inputs,
      outputs: s.outputs,
      kind: s.fused !== undefined ? ("fused" as const) : s.host !== undefined ? ("host" as const) : s.view === true ? ("view" as const) : ("kernel" as const),
      backend: s.kernel?.backend.name ?? this.backend.name,
      ...(s.fused !== undefined ? { fused: s.fused } : {}),
    }));
    return new PlanSummary(this.graph, this.backend, this.#record, steps, this.#inputSlots, this.#outputSlots, this.#constantSlots, functions);
  }

  /**
   * Keeps the plan whole until the matching `letGo`, for a caller that runs it again and
   * again across host reads (a While between iterations): a `dispose()` meanwhile (the
   * function dropped while an asynchronous call is pending) waits for the last user. Every
   * run holds its plan the same way.
   *
   * ```ts
   * plan.hold();
   * try { while (go) outs = plan.run(ins, pool, context); } finally { plan.letGo(); }
   * ```
   */
  hold(): void {
    this.#users++;
  }

  /** Ends a `hold`; the last user carries out a `dispose()` that came meanwhile. */
  letGo(): void {
    if (--this.#users > 0 || !this.#disposeWhenIdle) return;
    this.#disposeWhenIdle = false;
    this.dispose();
  }

  /**
   * Frees the plan's constant buffers and gives its reserved buffers back to their pool; while
   * a run is in progress (or a caller holds the plan), once the last one ends.
   */
  dispose(): void {
    if (this.#users > 0) {
      this.#disposeWhenIdle = true;
      return;
    }
    collectedPlans.unregister(this);
    this.#reservedIn?.release(this);
    this.#reservedIn = undefined;
    for (const value of this.#constantValues) value.backend.disposeData(value.dataId);
    this.#constantSlots.length = 0;
    this.#constantValues.length = 0;
    this.#idleSlots = undefined;
  }

  /**
   * The planned buffers for one run, reserved from `pool` (kept there between runs), or
   * undefined when this plan has none or another run holds them (that run uses the pool).
   */
  #reserve(pool: BufferPool): DataId[] | undefined {
    const memory = this.#memory;
    if (memory === undefined || pool.backend !== this.backend) return undefined;
    if (this.#reservedIn !== undefined && this.#reservedIn !== pool) return undefined;
    const ids = pool.reserve(this, memory.buffers);
    if (ids !== undefined) this.#reservedIn = pool;
    return ids;
  }

  /** After a run: lets go of the planned buffers (they stay reserved) and drains a pool of the run's own. */
  #endRun(pool: BufferPool, planned: DataId[] | undefined, ownPool: boolean): void {
    if (planned !== undefined) pool.unhold(this);
    if (ownPool) {
      pool.drain();
      if (this.#reservedIn === pool) this.#reservedIn = undefined;
    }
    this.letGo();
  }

  /** The slot array for a run (the idle one, constants in place), with the inputs filled in. */
  #begin(inputs: readonly SlotValue[]): (SlotValue | undefined)[] {
    let slots = this.#idleSlots;
    if (slots !== undefined) this.#idleSlots = undefined;
    else {
      slots = new Array<SlotValue | undefined>(this.#slotCount);
      this.#fillConstants(slots);
    }
    const inputSlots = this.#inputSlots;
    for (let i = 0; i < inputSlots.length; i++) slots[inputSlots[i]!] = inputs[i];
    return slots;
  }

  /** Collects the outputs and keeps the slot array (constants in place) for the next run. */
  #end(slots: (SlotValue | undefined)[]): SlotValue[] {
    const outputSlots = this.#outputSlots;
    const outputs: SlotValue[] = new Array(outputSlots.length);
    for (let i = 0; i < outputSlots.length; i++) {
      const slot = outputSlots[i]!;
      let value = slots[slot]!;
      // A view returned where its root is not: the output takes over the root's hold on the
      // buffer (its ownership, or its release for a pinned variable read).
      const root = this.#viewRoots.get(slot);
      const rootValue = root === undefined ? undefined : slots[root];
      const takesOver = rootValue?.kind === "data" && !outputSlots.includes(root!) && !this.#inputSlots.includes(root!) && !this.#constantSlots.includes(root!);
      if (takesOver && value.kind === "data") {
        const view = value;
        if (outputs.every((o) => o.kind !== "data" || o.dataId !== view.dataId)) {
          value = dataSlot(view.backend, view.dataId, view.shape, view.dtype, rootValue.owned, rootValue.release, view.size);
          rootValue.owned = false;
        }
      }
      // A buffer returned twice is owned (or released) by the first output that holds it only.
      const data = value.kind === "data" ? value : undefined;
      const repeated = data !== undefined && outputs.some((o) => o.kind === "data" && o.dataId === data.dataId && (o.owned || o.release !== undefined));
      outputs[i] = repeated ? dataSlot(data.backend, data.dataId, data.shape, data.dtype, false) : value;
    }
    // Only inputs, outputs and the roots of returned views are still set: clear them and keep
    // the array for the next run.
    for (const s of this.#inputSlots) slots[s] = undefined;
    for (const s of outputSlots) {
      slots[s] = undefined;
      const root = this.#viewRoots.get(s);
      if (root !== undefined && !this.#constantSlots.includes(root) && !this.#inputSlots.includes(root)) slots[root] = undefined;
    }
    this.#fillConstants(slots);
    this.#idleSlots = slots;
    return outputs;
  }

  /** After a failed step: frees every owned intermediate (never the caller's inputs). */
  #abandon(slots: readonly (SlotValue | undefined)[], inputs: readonly SlotValue[]): void {
    // Constants are never owned, so freeing leaves them alone.
    const callers = new Set<SlotValue | undefined>(inputs);
    for (const value of new Set(slots)) if (value?.kind === "data" && !callers.has(value)) freeSlot(value);
  }

  #fillConstants(slots: (SlotValue | undefined)[]): void {
    const constantSlots = this.#constantSlots;
    for (let i = 0; i < constantSlots.length; i++) slots[constantSlots[i]!] = this.#constantValues[i];
  }

  #stepInputs(step: Step, slots: readonly (SlotValue | undefined)[], into?: SlotValue[]): SlotValue[] {
    const inputs: SlotValue[] = into ?? new Array(step.inputs.length);
    for (let i = 0; i < step.inputs.length; i++) inputs[i] = slots[step.inputs[i]!]!;
    return inputs;
  }

  #hostArgs(step: Step, slots: readonly (SlotValue | undefined)[], pool: BufferPool, context: ExecutionContext): ExecuteArgs {
    return {
      name: step.op.name,
      attrs: step.op.attrs,
      inputs: this.#stepInputs(step, slots),
      outputs: step.op.outputs,
      backend: this.backend,
      isLastUse: (i) => step.lastUse.has(step.inputs[i]!),
      pool,
      library: this.graph.library,
      context,
    };
  }

  #finishHost(step: Step, slots: (SlotValue | undefined)[], results: readonly SlotValue[]): void {
    for (let i = 0; i < step.outputs.length; i++) slots[step.outputs[i]!] = results[i];
  }

  /** Frees (into the pool) the slots whose last reader was `step`. */
  #free(step: Step, slots: (SlotValue | undefined)[], pool: BufferPool): void {
    const free = step.free;
    for (let i = 0; i < free.length; i++) {
      const value = slots[free[i]!];
      if (value?.kind === "data") pool.give(value);
      slots[free[i]!] = undefined;
    }
  }

  /**
   * Reads on the host the inputs that live on an async-only backend while the kernel runs
   * elsewhere (a fallback kernel), replacing them in `inputs` by owned copies on the
   * kernel's backend; returns those copies for the caller to free after the step.
   */
  *#readAsyncInputs(step: Step, inputs: SlotValue[]): Execution<DataSlot[]> {
    const target = step.kernel!.backend;
    const copies: DataSlot[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const slot = inputs[i]!;
      if (slot.kind !== "data" || slot.backend === target || readsSync(slot.backend)) continue;
      const values = yield* readHost(slot);
      const copy = dataSlot(target, target.write(values.slice(), slot.shape, slot.dtype), slot.shape, slot.dtype, true);
      copies.push(copy);
      inputs[i] = copy;
    }
    return copies;
  }

  /**
   * Runs a step given attr inputs (a shape tensor): `values` are the attr inputs' values,
   * read on the host; the kernel runs on the other inputs with the attrs resolved.
   */
  #runWithAttrInputs(step: Step, inputs: readonly SlotValue[], values: readonly (ArrayLike<number> | undefined)[], slots: (SlotValue | undefined)[], pool: BufferPool, maxBytes: number): void {
    const def = step.op.def;
    const attrInputs = def.attrInputs!;
    const read = attrInputs.map((_, k) => Array.from(values[k] ?? []));
    const attrs = withAttrInputs(def, step.op.attrs, read, inputs as DataSlot[]);
    this.#runKernel(step, inputs.slice(0, kernelArity(def)), slots, pool, attrs, maxBytes);
  }

  /**
   * Runs a kernel step, offering it dead buffers of the right size to write its outputs into.
   * Outputs larger than `maxBytes` are refused before anything is allocated.
   */
  #runKernel(
    step: Step,
    inputs: SlotValue[],
    slots: (SlotValue | undefined)[],
    pool: BufferPool,
    attrs: object,
    maxBytes: number,
    planned?: DataId[],
    donated?: readonly boolean[],
    scratchOut?: (DataId | undefined)[],
  ): void {
    if (step.view === true) {
      const x = inputs[0] as DataSlot;
      const out = step.staticOutputs?.[0] ?? (step.op.def.infer([x], attrs)[0] as ConcreteInfo);
      // Borrowed: the root slot owns the buffer and outlives every view of it (see #schedule).
      slots[step.outputs[0]!] = dataSlot(x.backend, x.dataId, out.shape, out.dtype, false, undefined, x.size);
      return;
    }
    const { backend } = step.kernel!;
    let data = inputs as DataSlot[];
    let moved = false;
    for (let i = 0; i < inputs.length; i++) {
      const slot = inputs[i] as DataSlot;
      if (slot.kind === "data" && slot.backend === backend) continue;
      // A fallback kernel on another backend (or a resource in the wrong place): copy first.
      if (!moved) data = [...data];
      moved = true;
      data[i] = dataOn(slot, backend, step, i);
    }
    const outputs = step.staticOutputs ?? (step.op.def.infer(data, attrs) as ConcreteInfo[]);
    if (step.staticBytes === undefined || step.staticBytes > maxBytes) checkTensorSizes(step.op.def.api, outputs, maxBytes, step.op.name);
    const sizes = step.staticSizes ?? outputs.map((o) => sizeOf(o.shape));
    const run = step.kernel!.run ?? step.kernel!.specialize(data, outputs, attrs);
    const count = step.outputs.length;
    let out: (DataId | undefined)[] | undefined;
    // Planned outputs write into the plan's buffers, the others into dead ones from the pool.
    const plannedOut = planned !== undefined ? step.planned : undefined;
    // An input dying here whose buffer the output may take over (see `OpDef.inPlace`).
    const taken = step.inPlace === undefined || moved ? undefined : this.#takeOver(step, data, outputs[0]!, sizes[0]!, donated);
    if (backend === pool.backend) {
      out = scratchOut ?? new Array(count);
      for (let i = 0; i < count; i++) {
        const buffer = plannedOut?.[i];
        out[i] = i === 0 && taken !== undefined ? taken.dataId : buffer !== undefined ? planned![buffer] : pool.take(outputs[i]!.dtype, sizes[i]!);
      }
    }
    try {
      let ids: DataId[];
      try {
        ids = run({ inputs: data, attrs, outputs, backend, out });
      } catch (error) {
        // The offered buffers are still the pool's (planned ones, the plan's).
        if (out !== undefined)
          for (let i = 0; i < count; i++) if (out[i] !== undefined && plannedOut?.[i] === undefined && out[i] !== taken?.dataId) pool.keep(out[i]!, outputs[i]!.dtype, sizes[i]!);
        // Out of memory with dead buffers waiting: free them and try once more.
        if (!(error instanceof ResourceExhaustedError) || !pool.canFree || backend !== pool.backend) throw error;
        pool.drain();
        out = undefined;
        ids = run({ inputs: data, attrs, outputs, backend });
      }
      for (let i = 0; i < count; i++) {
        const offered = out?.[i];
        const inPlan = plannedOut?.[i] !== undefined && offered !== undefined && offered !== taken?.dataId;
        // A kernel that allocated its own output leaves the offered buffer for a later step
        // (an input's buffer offered for in-place work stays the input's).
        if (offered !== undefined && ids[i] !== offered && !inPlan && offered !== taken?.dataId) pool.keep(offered, outputs[i]!.dtype, sizes[i]!);
        // The output took over the input's buffer: the input no longer owns it.
        if (i === 0 && taken !== undefined && ids[0] === taken.dataId) taken.owned = false;
        // A planned buffer stays the plan's: the slot borrows it.
        const owned = !(inPlan && ids[i] === offered);
        slots[step.outputs[i]!] = dataSlot(backend, ids[i]!, outputs[i]!.shape, outputs[i]!.dtype, owned, undefined, sizes[i]);
      }
    } finally {
      // Copies made for a fallback kernel are temporary.
      if (moved) for (let i = 0; i < data.length; i++) if (data[i] !== inputs[i]) data[i]!.backend.disposeData(data[i]!.dataId);
      // The reused array holds no buffer between runs.
      if (out === scratchOut && out !== undefined) out.fill(undefined);
    }
  }

  /**
   * The input of an in-place step whose buffer output 0 may take: owned here (an
   * intermediate of this run, or a plan input its caller donated), of the output's dtype and
   * size, on the kernel's backend. Undefined when it must stay as it is.
   */
  #takeOver(step: Step, data: readonly DataSlot[], output: ConcreteInfo, size: number, donated: readonly boolean[] | undefined): DataSlot | undefined {
    const { input, planInput } = step.inPlace!;
    const value = data[input]!;
    if (value.kind !== "data" || !value.owned || value.release !== undefined) return undefined;
    if (planInput >= 0 && donated?.[planInput] !== true) return undefined;
    if (value.dtype !== output.dtype || value.size !== size || value.backend !== step.kernel!.backend) return undefined;
    return value;
  }
}

/** A slot's values read synchronously (a shape tensor in a synchronous run). */
function readNow(slot: SlotValue, step: Step): ArrayLike<number> | undefined {
  if (slot.kind !== "data") return undefined;
  if (!readsSync(slot.backend)) throw new KilnError(`${step.op.name}: a shape tensor on async backend '${slot.backend.name}' must be read asynchronously`);
  return slot.backend.readSync(slot.dataId);
}

/** A Const operation's value, uploaded to `backend` once per plan. */
function constantValue(op: Operation, backend: Backend): DataSlot {
  const attrs = op.attrs as { value: number[]; shape: number[]; dtype: DType };
  const values = attrs.dtype === "float32" ? Float32Array.from(attrs.value) : attrs.dtype === "int32" ? Int32Array.from(attrs.value) : Uint8Array.from(attrs.value);
  return dataSlot(backend, backend.write(values, attrs.shape, attrs.dtype), attrs.shape, attrs.dtype, false);
}

/** Moves an input to the backend a (fallback) kernel runs on; returns a temporary owned copy. */
function dataOn(value: SlotValue, backend: Backend, step: Step, index: number): DataSlot {
  if (value.kind !== "data") throw new KilnError(`${step.op.name}: input ${index} is a resource, but ${step.op.type} expects a tensor`);
  if (value.backend === backend) return value;
  const source = value.backend;
  if (!readsSync(source)) {
    throw new KilnError(`${step.op.name}: the data of input ${index} lives on async backend '${source.name}'; it must be read on the host first`);
  }
  const dataId = backend.write(source.readSync(value.dataId).slice(), value.shape, value.dtype);
  return dataSlot(backend, dataId, value.shape, value.dtype, true);
}
