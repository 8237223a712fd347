import type { DataArray } from "../base/dtype.js";
import { BackendError, KilnError, ShapeError, formatShape } from "../base/errors.js";
import { type ConcreteShape, shapesEqual } from "../base/shape.js";
import type { Backend } from "../runtime/backend.js";
import type { BufferPool } from "../runtime/buffer_pool.js";
import { type DataSlot, type HandlerArgs, type OpHandler, type SlotValue, dataSlot } from "../runtime/executor.js";
import { Identity } from "../ir/builtin_ops.js";
import type { AnyOpDef } from "../ir/op.js";
import { AddV2, Sub } from "../ops/binary.js";
import type { Runtime } from "../trace/runtime.js";
import type { CallAttrs } from "./call_ops.js";
import type { IfAttrs, WhileAttrs } from "./control_flow/ops.js";
import { formatPrinted } from "./print.js";
import type { Variable } from "./variable.js";

/** A plan as handlers use it. */
interface Runnable {
  run(inputs: readonly SlotValue[], pool?: BufferPool): SlotValue[];
}

/** Anything with a plan per backend: a concrete function or a control-flow sub-graph in a graph's library. */
export interface Callee {
  planFor(backend: Backend): Runnable;
  /** Present on traced sub-graphs. */
  readonly graph?: unknown;
  /** For a While body traced in this session: a plan of the body followed by the condition `cond`. */
  rotatedPlanFor?(backend: Backend, cond: Callee, numLoopVars: number): Runnable;
}

/** Reads a buffer synchronously, or explains that this op cannot run on an async-only backend. */
function readNow(slot: DataSlot, op: string): DataArray {
  if (slot.backend.readSync === undefined) {
    throw new BackendError(`${op}: backend '${slot.backend.name}' reads data only asynchronously, which ${op} needs inside a tf.function; run this function on a backend with synchronous reads (e.g. cpu or wasm)`);
  }
  return slot.backend.readSync(slot.dataId);
}

/** Runs a backend kernel directly (used by handlers for copies and variable updates). */
function runKernel(runtime: Runtime, op: AnyOpDef, inputs: readonly DataSlot[], backend: Backend): DataSlot {
  const { run, backend: target } = runtime.backends.resolve(op, backend);
  const data = inputs.map((slot) => (slot.backend === target ? slot : dataSlot(target, target.write(readNow(slot, op.name).slice(), slot.shape, slot.dtype), slot.shape, slot.dtype, true)));
  const [info] = op.infer(data, {}) as { shape: ConcreteShape; dtype: DataSlot["dtype"] }[];
  const [dataId] = run({ inputs: data, attrs: {}, outputs: [info!], backend: target });
  data.forEach((d, i) => d !== inputs[i] && target.disposeData(d.dataId));
  return dataSlot(target, dataId!, info!.shape, info!.dtype, true);
}

/** A slot the caller may own: the slot itself when it is owned and dead after this step, else a copy. */
function takeOrCopy(runtime: Runtime, args: HandlerArgs, index: number): DataSlot {
  const slot = args.inputs[index] as DataSlot;
  if (slot.owned && args.isLastUse(index)) {
    slot.owned = false;
    return dataSlot(slot.backend, slot.dataId, slot.shape, slot.dtype, true);
  }
  return runKernel(runtime, Identity, [slot], args.backend);
}

function variableOf(args: HandlerArgs): Variable {
  const slot = args.inputs[0];
  if (slot?.kind !== "resource") throw new KilnError(`${args.op.name}: expected a variable resource as input 0`);
  return slot.value as Variable;
}

/** The variable's current value, borrowed for immediate use inside one handler. */
function currentValue(runtime: Runtime, variable: Variable, backend: Backend): DataSlot {
  const tensor = variable.eagerValue;
  return dataSlot(backend, runtime.dataOn(tensor, backend, "ReadVariableOp"), tensor.shape as ConcreteShape, tensor.dtype, false);
}

/**
 * A read of the variable that pins the buffer it read: a later assignment in the same
 * call (or a nested one) cannot free it before the read's last use.
 */
function pinnedRead(runtime: Runtime, variable: Variable, backend: Backend): DataSlot {
  const pinned = runtime.retain(variable.eagerValue);
  const dataId = runtime.dataOn(pinned, backend, "ReadVariableOp");
  return dataSlot(backend, dataId, pinned.shape as ConcreteShape, pinned.dtype, false, () => pinned.dispose());
}

/**
 * Installs `next` as the variable's value, checking at run time that its shape is the
 * variable's (a trace with relaxed dims cannot check it earlier). Reads pin the buffers
 * they hold, so the previous value is released now.
 */
function install(runtime: Runtime, args: HandlerArgs, variable: Variable, next: DataSlot): SlotValue[] {
  if (!shapesEqual(next.shape, variable.shape)) {
    if (next.owned) next.backend.disposeData(next.dataId);
    throw new ShapeError(
      `${args.op.type}: variable '${variable.name}' has shape ${formatShape(variable.shape)} but the value has shape ${formatShape(next.shape)}; a variable's shape never changes`,
    );
  }
  const tensor = runtime.tracker.keep(runtime.wrap(next.backend, next.dataId, next.shape, next.dtype));
  variable.swapValue(tensor).dispose();
  return [];
}

/**
 * The ops the runtime implements itself rather than a backend: variable reads and writes,
 * printing, and calls of nested functions.
 */
export function functionHandlers(runtime: Runtime): Map<string, OpHandler> {
  const update = (op: AnyOpDef) => (args: HandlerArgs) => {
    const variable = variableOf(args);
    return install(runtime, args, variable, runKernel(runtime, op, [currentValue(runtime, variable, args.backend), args.inputs[1] as DataSlot], args.backend));
  };
  const library = (args: HandlerArgs, name: string): Callee => {
    const callee = (args.graph as { library?: Map<string, unknown> }).library?.get(name) as Callee | undefined;
    if (callee === undefined) throw new KilnError(`${args.op.name}: sub-graph '${name}' is not in the graph's library`);
    return callee;
  };
  // A sub-graph may hand back one of its inputs unchanged: that slot belongs to the outer
  // plan (which frees it after its last use), so it is copied, like borrowed values.
  const owned = (args: HandlerArgs, outs: SlotValue[]) =>
    outs.map((out) => {
      if (out.kind !== "data") return out;
      const passthrough = args.inputs.includes(out);
      if (out.owned && !passthrough) return out;
      const copy = runKernel(runtime, Identity, [out], args.backend);
      if (!passthrough) out.release?.();
      return copy;
    });
  const call: OpHandler = (args) => {
    const callee = (args.graph as { library?: Map<string, unknown> }).library?.get((args.op.attrs as CallAttrs).f) as Callee | undefined;
    if (callee === undefined) throw new KilnError(`${args.op.name}: function '${(args.op.attrs as CallAttrs).f}' is not in the graph's library`);
    return owned(args, callee.planFor(args.backend).run(args.inputs, args.pool));
  };
  const ifHandler: OpHandler = (args) => {
    const attrs = args.op.attrs as unknown as IfAttrs;
    const pred = args.inputs[0] as DataSlot;
    const taken = readNow(pred, "If")[0] !== 0;
    const branch = library(args, taken ? attrs.thenBranch : attrs.elseBranch);
    const inputs = (taken ? attrs.thenInputs : attrs.elseInputs).map((i) => args.inputs[i]!);
    return owned(args, branch.planFor(args.backend).run(inputs, args.pool));
  };
  const whileHandler: OpHandler = (args) => {
    const attrs = args.op.attrs as unknown as WhileAttrs;
    const cond = library(args, attrs.cond);
    const body = library(args, attrs.body);
    const condPlan = cond.planFor(args.backend);
    const n = attrs.numLoopVars;
    const condExtra = attrs.condInputs.map((i) => args.inputs[i]!);
    const bodyExtra = attrs.bodyInputs.map((i) => args.inputs[i]!);
    let vars = args.inputs.slice(0, n);
    // Loop values this handler owns die into the pool, where the next iteration's kernels
    // find buffers of the same size; the outer plan's inputs are never the handler's.
    const drop = (value: SlotValue) => {
      if (value.kind === "data" && !args.inputs.includes(value)) args.pool.give(value);
    };
    /**
     * Lets go of the previous loop values that are not among the next ones. A plan that
     * returns one buffer twice hands back an unowned alias for the second; when the owner
     * dies but its alias lives on as a loop value, the alias takes over ownership instead.
     */
    const retire = (previous: readonly SlotValue[], next: SlotValue[]) => {
      for (const value of previous) {
        if (next.includes(value) || args.inputs.includes(value)) continue;
        // An alias itself holds nothing to let go of.
        if (value.kind === "data" && !value.owned && value.release === undefined) continue;
        const k = value.kind === "data" ? next.findIndex((v) => v.kind === "data" && v.dataId === value.dataId && !v.owned) : -1;
        if (k < 0) {
          drop(value);
          continue;
        }
        const alias = next[k] as DataSlot;
        const heir = value as DataSlot;
        next[k] = dataSlot(alias.backend, alias.dataId, alias.shape, alias.dtype, heir.owned, heir.release, alias.size);
      }
    };
    /** Reads the condition's value and lets it go (unless it is one of the loop values). */
    const test = (c: SlotValue, values: readonly SlotValue[]): boolean => {
      const go = readNow(c as DataSlot, "While")[0] !== 0;
      if (!values.includes(c)) drop(c);
      return go;
    };
    try {
      if (attrs.maximumIterations === null && body.rotatedPlanFor !== undefined && cond.graph !== undefined) {
        // One plan run per iteration: the body, then the condition on its results.
        const step = body.rotatedPlanFor(args.backend, cond, n);
        const stepIn: SlotValue[] = [...vars, ...bodyExtra, ...condExtra];
        let go = test(condPlan.run([...vars, ...condExtra], args.pool)[0]!, vars);
        while (go) {
          for (let k = 0; k < n; k++) stepIn[k] = vars[k]!;
          const outs = step.run(stepIn, args.pool);
          const next = outs.slice(0, n);
          retire(vars, next);
          vars = next;
          go = test(outs[n]!, vars);
        }
      } else {
        // The plans copy inputs into their own slots, so one input list per plan is reused.
        const condIn: SlotValue[] = [...vars, ...condExtra];
        const bodyIn: SlotValue[] = [...vars, ...bodyExtra];
        const bodyPlan = body.planFor(args.backend);
        for (let i = 0; attrs.maximumIterations === null || i < attrs.maximumIterations; i++) {
          for (let k = 0; k < n; k++) condIn[k] = bodyIn[k] = vars[k]!;
          if (!test(condPlan.run(condIn, args.pool)[0]!, vars)) break;
          const next = bodyPlan.run(bodyIn, args.pool);
          retire(vars, next);
          vars = next;
        }
      }
    } catch (error) {
      for (const value of vars) drop(value);
      throw error;
    }
    return owned(args, vars);
  };
  return new Map<string, OpHandler>([
    ["If", ifHandler],
    ["StatelessIf", ifHandler],
    ["While", whileHandler],
    ["StatelessWhile", whileHandler],
    ["ReadVariableOp", (args) => [pinnedRead(runtime, variableOf(args), args.backend)]],
    ["AssignVariableOp", (args) => install(runtime, args, variableOf(args), takeOrCopy(runtime, args, 1))],
    ["AssignAddVariableOp", update(AddV2)],
    ["AssignSubVariableOp", update(Sub)],
    [
      "PrintV2",
      (args) => {
        const template = (args.op.attrs as { template: (string | null)[] }).template;
        let next = 0;
        const text = template.map((part) => {
          if (part !== null) return part;
          const slot = args.inputs[next++] as DataSlot;
          return formatPrinted(readNow(slot, "PrintV2"), slot.shape, slot.dtype);
        });
        runtime.print(text.join(" "));
        return [];
      },
    ],
    ["PartitionedCall", call],
    ["StatefulPartitionedCall", call],
  ]);
}
