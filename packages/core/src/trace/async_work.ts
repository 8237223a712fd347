import type { DType } from "../base/dtype.js";
import { BackendError, formatShape } from "../base/errors.js";
import { type ConcreteShape, isConcrete, type Shape } from "../base/shape.js";
import { type Backend, type DataId, readsSync } from "../backend/backend.js";
import type { ResolvedKernel } from "../backend/backend_registry.js";
import { Identity } from "../ir/builtin_ops.js";
import type { AnyOpDef, ValueInfo, ConcreteInfo } from "../ir/op.js";
import { driveAsync, type Execution, type HostRun, type VariableAccess } from "../plan/execution.js";
import { executionContext } from "./execution_context.js";
import { runKernelNow } from "../plan/host_ops.js";
import { type DataSlot, dataSlot, type SlotValue } from "../plan/slots.js";
import { type EagerHandle, NO_DATA, type ResourceHandle } from "../tensor/handle.js";
import type { Tensor } from "../tensor/tensor.js";
import type { PendingTensor, Runtime } from "./runtime.js";
import { checkVariableShape, type VariableState } from "./variable_access.js";

/** An output type as kernels see it. */

/** Waits until a tensor's data exists; rethrows the failure of the work that computed it. */
async function ready(tensor: Tensor): Promise<void> {
  const handle = tensor.handle as EagerHandle;
  if (handle.pending !== undefined) await handle.pending;
  if (handle.failure !== undefined) throw handle.failure;
}

/** The tensor's buffer on `backend`, reading it on the host first when it lives on an async-only backend. */
async function dataOnAsync(runtime: Runtime, tensor: Tensor, backend: Backend, op: string): Promise<DataId> {
  const handle = tensor.handle as EagerHandle;
  if (handle.backend !== backend && !readsSync(handle.backend)) await runtime.moveFromAsync(handle, backend);
  return runtime.dataOn(tensor, backend, op);
}

/** True when an op with these inputs must wait: an input is still being computed, or must be read off an async-only backend first. */
export function mustWait(inputs: readonly Tensor[], backend: Backend): boolean {
  for (const t of inputs) {
    const handle = t.handle;
    if (handle.kind === "resource") {
      const value = (handle.variable as VariableState).eagerValue.handle as EagerHandle;
      if (value.pending !== undefined) return true;
      continue;
    }
    if (handle.kind !== "eager") continue;
    if (handle.pending !== undefined || (handle.backend !== backend && !readsSync(handle.backend))) return true;
  }
  return false;
}

/**
 * Runs a kernel op later, as a task, once its inputs exist (SPEC L2): the outputs are
 * returned at once, pending, with the shapes shape inference gave; reads of them wait.
 * Nothing the task makes belongs to a tidy scope: it fills tensors made now, in the caller's scope.
 */
export function deferKernel(runtime: Runtime, op: AnyOpDef, resolved: ResolvedKernel, inputs: readonly Tensor[], outputs: readonly ConcreteInfo[], attrs: object): Tensor[] {
  const backend = resolved.backend;
  const pending = outputs.map((o) => runtime.pendingTensor(backend, o.shape, o.dtype));
  const held = inputs.map((t) => runtime.retain(t));
  runtime.tasks.enqueue(async () => {
    try {
      const data = [];
      for (const t of held) {
        await ready(t);
        data.push({ dataId: await dataOnAsync(runtime, t, backend, op.api), shape: t.shape as ConcreteShape, dtype: t.dtype });
      }
      const run = resolved.run ?? resolved.specialize(data, outputs, attrs);
      const ids = run({ inputs: data, attrs, outputs, backend });
      pending.forEach((p, i) => p.settle(backend, ids[i]!));
    } catch (error) {
      for (const p of pending) p.fail(error);
    } finally {
      for (const t of held) t.dispose();
    }
  });
  return pending.map((p) => p.tensor);
}

/**
 * Variable access for an asynchronous call: a view of the variables taken when the call
 * was issued, so eager code after the call neither sees nor disturbs it. Reads pin the
 * view's value; writes replace it (the previous one is released).
 */
function viewAccess(runtime: Runtime, view: Map<object, Tensor>): VariableAccess {
  const viewed = (variable: object, op: string): Tensor => {
    const value = view.get(variable);
    if (value === undefined) throw new BackendError(`${op}: the variable '${(variable as VariableState).name}' was not passed to this call`);
    return value;
  };
  return {
    read(variable, backend, op) {
      const pinned = runtime.retain(viewed(variable, op));
      return dataSlot(backend, runtime.dataOn(pinned, backend, op), pinned.shape as ConcreteShape, pinned.dtype, false, () => pinned.dispose());
    },
    peek(variable, backend, op) {
      const value = viewed(variable, op);
      return dataSlot(backend, runtime.dataOn(value, backend, op), value.shape as ConcreteShape, value.dtype, false);
    },
    write(variable, value, op) {
      checkVariableShape(variable as VariableState, value, op);
      const previous = viewed(variable, op);
      view.set(variable, runtime.tracker.keep(runtime.wrap(value.backend, value.dataId, value.shape, value.dtype)));
      previous.dispose();
    },
  };
}

/** Moves `value`'s buffer into the pending tensor (no copy when nothing else holds it), or copies it. */
function settleWith(runtime: Runtime, target: PendingTensor, value: Tensor): void {
  const handle = value.handle as EagerHandle;
  if (handle.failure !== undefined || handle.pending !== undefined) {
    // The value never arrived (an earlier call failed): the variable carries that failure.
    target.fail(handle.failure ?? new BackendError("a variable's value was not computed"));
    value.dispose();
    return;
  }
  if (handle.refs === 1) {
    target.settle(handle.backend, handle.dataId);
    handle.dataId = NO_DATA; // the data moved: disposing `value` frees nothing
    value.dispose();
    return;
  }
  const copy = runKernelNow(runtime.backends, Identity, [dataSlot(handle.backend, handle.dataId, value.shape as ConcreteShape, value.dtype, false)], handle.backend);
  target.settle(copy.backend, copy.dataId);
  value.dispose();
}

/** The concrete output shapes of an asynchronous call, or a BackendError before anything runs. */
function pendingShapes(runtime: Runtime, op: AnyOpDef, inputs: readonly Tensor[], infos: readonly ValueInfo[], attrs: object): ConcreteShape[] {
  const execution = op.execution;
  let shapes: Shape[] = infos.map((i) => i.shape);
  if (!shapes.every(isConcrete) && execution?.kind === "host" && execution.outputShapes !== undefined) {
    shapes = execution.outputShapes(
      inputs.map((t) => t.shape),
      attrs,
      runtime.functions,
    );
  }
  const unknown = shapes.findIndex((s) => !isConcrete(s));
  if (unknown >= 0) {
    throw new BackendError(
      `${op.api}: output ${unknown} has shape ${formatShape(shapes[unknown]!)} until the call has run (a loop or branch decides it from data), but on an async-only backend ` +
        `a call returns its outputs before it runs. Give the loop variable a fixed shape (shapeInvariants), return a value of known shape, or run this function on a backend with synchronous reads`,
    );
  }
  return shapes as ConcreteShape[];
}

/**
 * Issues a runtime-executed op (a call) that must run asynchronously: its outputs come back
 * at once as pending tensors and the work runs as a task, in program order (SPEC L2). The
 * variables it may assign become pending too, so later eager reads wait for it; the call
 * works on a view of the variables taken now. `start` begins the execution once the
 * inputs' data exists.
 *
 * ```ts
 * issueAsync(runtime, callOp, inputs, infos, attrs, (args) => run(args));
 * ```
 */
export function issueAsync(
  runtime: Runtime,
  op: AnyOpDef,
  run: HostRun,
  inputs: readonly Tensor[],
  infos: readonly ValueInfo[],
  attrs: object,
): Tensor[] {
  const backend = runtime.backends.active();
  const shapes = pendingShapes(runtime, op, inputs, infos, attrs);
  const outputs = shapes.map((shape, i) => runtime.pendingTensor(backend, shape, infos[i]!.dtype as DType));
  const execution = op.execution;
  const writes = execution?.kind === "host" && execution.writes !== undefined ? execution.writes(attrs, runtime.functions) : new Set<number>();
  const held: Tensor[] = [];
  const view = new Map<object, Tensor>();
  const written: [object, PendingTensor][] = [];
  inputs.forEach((t, i) => {
    if (t.handle.kind !== "resource") {
      held.push(runtime.retain(t));
      return;
    }
    const variable = (t.handle as ResourceHandle).variable as VariableState;
    if (view.has(variable)) return;
    if (writes.has(i)) {
      // Later eager code sees the value this call will leave; the call owns the current one.
      const next = runtime.pendingTensor(backend, variable.shape as ConcreteShape, t.dtype);
      view.set(variable, variable.swapValue(runtime.tracker.keep(next.tensor)));
      written.push([variable, next]);
    } else {
      view.set(variable, runtime.retain(variable.eagerValue));
    }
  });
  runtime.tasks.enqueue(async () => {
    // Intermediates die into the runtime's pool, where later calls find them.
    const pool = runtime.pools.for(backend);
    try {
      for (const t of [...held, ...view.values()]) await ready(t);
      let next = 0;
      const slots: SlotValue[] = [];
      for (const t of inputs) {
        if (t.handle.kind === "resource") {
          slots.push({ kind: "resource", value: (t.handle as ResourceHandle).variable });
          continue;
        }
        const own = held[next++]!;
        slots.push(dataSlot(backend, await dataOnAsync(runtime, own, backend, op.api), own.shape as ConcreteShape, own.dtype, false));
      }
      const context = executionContext(runtime, viewAccess(runtime, view));
      backend.beginRun?.();
      let results: SlotValue[];
      try {
        const started = run({ name: op.api, attrs, inputs: slots, outputs: infos, backend, isLastUse: () => false, pool, library: runtime.functions, context });
        results = Array.isArray(started) ? started : await driveAsync(started as Execution<SlotValue[]>);
      } finally {
        backend.endRun?.();
      }
      results.forEach((out, i) => {
        const slot = out as DataSlot;
        if (slot.owned) return outputs[i]!.settle(slot.backend, slot.dataId);
        const copy = runKernelNow(runtime.backends, Identity, [slot], slot.backend);
        outputs[i]!.settle(copy.backend, copy.dataId);
      });
      // Only after every copy: a value returned twice shares the buffer its first output pins.
      for (const out of results) if (out.kind === "data" && !out.owned) out.release?.();
    } catch (error) {
      for (const o of outputs) if (o.tensor.isPending) o.fail(error);
    } finally {
      // What the call left in the view becomes the variables' values (also after a failure:
      // assignments made before it stand, as in eager code).
      for (const [variable, next] of written) {
        settleWith(runtime, next, view.get(variable)!);
        view.delete(variable);
      }
      for (const value of view.values()) value.dispose();
      for (const t of held) t.dispose();
    }
  });
  return outputs.map((o) => o.tensor);
}
