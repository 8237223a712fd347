import { KilnError } from "../base/errors.js";
import type { ConcreteShape } from "../base/shape.js";
import { type Backend, type DataId, readsSync } from "../backend/backend.js";
import type { BackendRegistry } from "../backend/backend_registry.js";
import type { LibraryFunction } from "../ir/func_graph.js";
import type { AnyOpDef, ValueInfo } from "../ir/op.js";
import type { BufferPool } from "./buffer_pool.js";
import type { ExecuteArgs, Execution, ExecutionContext } from "./execution.js";
import type { Plan } from "./plan.js";
import { type DataSlot, dataSlot, type SlotValue } from "./slots.js";

/**
 * Runs a sub-plan (a branch, a loop body, a called function) inside a runtime-executed
 * op: synchronously when it can never need an asynchronous host read, otherwise as an
 * execution whose reads go to the outer driver.
 *
 * ```ts
 * const outs = yield* runSubPlan(plan, inputs, args.pool, args.context);
 * ```
 */
export function* runSubPlan(plan: Plan, inputs: readonly SlotValue[], pool: BufferPool, context: ExecutionContext): Execution<SlotValue[]> {
  if (!plan.mayRead) return plan.run(inputs, pool, context);
  return yield* plan.execute(inputs, pool, context);
}

/** The library function a runtime-executed op names, or a KilnError naming the op. */
export function calleeOf(args: ExecuteArgs, name: string): LibraryFunction {
  const callee = args.library.get(name);
  if (callee === undefined) throw new KilnError(`${args.name}: function '${name}' is not in the graph's library`);
  return callee;
}

/**
 * Runs `op`'s kernel now, outside any plan (a copy, a variable update), moving inputs that
 * live elsewhere to the kernel's backend first. Returns the owned result. `out` offers a
 * buffer to write the result into (`KernelArgs.out`); the result's `dataId` says whether
 * the kernel used it.
 */
export function runKernelNow(registry: BackendRegistry, op: AnyOpDef, inputs: readonly DataSlot[], backend: Backend, out?: DataId): DataSlot {
  const resolved = registry.resolve(op, backend);
  const target = resolved.backend;
  const data = inputs.map((slot) => {
    if (slot.backend === target) return slot;
    const source = slot.backend;
    if (!readsSync(source)) throw new KilnError(`${op.name}: data on async backend '${source.name}' must be read on the host first`);
    return dataSlot(target, target.write(source.readSync(slot.dataId).slice(), slot.shape, slot.dtype), slot.shape, slot.dtype, true);
  });
  try {
    const infos = op.infer(data, {}) as (ValueInfo & { shape: ConcreteShape })[];
    const run = resolved.run ?? resolved.specialize(data, infos, {});
    const offered = out !== undefined && target === backend ? [out] : undefined;
    const [dataId] = run({ inputs: data, attrs: {}, outputs: infos, backend: target, ...(offered !== undefined ? { out: offered } : {}) });
    return dataSlot(target, dataId!, infos[0]!.shape, infos[0]!.dtype, true);
  } finally {
    data.forEach((d, i) => d !== inputs[i] && target.disposeData(d.dataId));
  }
}

/**
 * The results of a sub-plan as values the calling op owns. A sub-plan may hand back one of
 * its inputs unchanged, or a borrowed value (a pinned variable read): those are copied
 * with `copy` (the outer plan frees its own inputs after their last use).
 */
export function ownedResults(args: ExecuteArgs, outs: readonly SlotValue[], copy: (slot: DataSlot) => DataSlot): SlotValue[] {
  const released: DataSlot[] = [];
  const results = outs.map((out) => {
    if (out.kind !== "data") return out;
    const passthrough = args.inputs.includes(out);
    if (out.owned && !passthrough) return out;
    if (!passthrough) released.push(out);
    return copy(out);
  });
  // Only after every copy: a value returned twice shares the buffer its first output pins.
  for (const out of released) out.release?.();
  return results;
}
