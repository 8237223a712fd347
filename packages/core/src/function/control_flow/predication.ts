import { readsSync, type Backend } from "../../backend/backend.js";
import type { BackendRegistry } from "../../backend/backend_registry.js";
import { isConcrete, shapesEqual } from "../../base/shape.js";
import type { FuncGraph, LibraryFunction } from "../../ir/func_graph.js";
import { LogicalAnd } from "../../ops/binary.js";
import { SelectV2 } from "../../ops/selection.js";
import type { BufferPool } from "../../plan/buffer_pool.js";
import { runKernelNow } from "../../plan/host_ops.js";
import { planFor } from "../../plan/plan_cache.js";
import type { DataSlot, SlotValue } from "../../plan/slots.js";

/**
 * Control flow decided on the device: on a backend with asynchronous reads, a
 * read of a predicate costs a round trip that stalls the GPU. When a branch or loop body
 * has no side effects, core can instead run it under the backend's `guard` (its work runs
 * only where the predicate holds, decided on the device) and pick results with `SelectV2`,
 * so an `If` needs no read at all and a `While` one read per several iterations.
 */

/** A library lookup (a graph's library). */
interface Library {
  get(name: string): LibraryFunction | undefined;
}

/** Ops that read state without changing it: safe to run speculatively. */
const READS_ONLY = new Set(["ReadVariableOp"]);
/** Ops holding sub-graphs, by the attrs that name them. */
const SUBGRAPHS: Readonly<Record<string, readonly string[]>> = {
  If: ["thenBranch", "elseBranch"],
  StatelessIf: ["thenBranch", "elseBranch"],
  PartitionedCall: ["f"],
  StatefulPartitionedCall: ["f"],
  While: ["cond", "body"],
  StatelessWhile: ["cond", "body"],
};

/**
 * True when running `graph` changes nothing but its outputs (no assigns, prints, random
 * draws), looking into the sub-graphs of the control flow and calls it holds. Reading
 * variables is allowed.
 */
export function sideEffectFree(graph: FuncGraph, library: Library = graph.library): boolean {
  return graph.operations.every((op) => {
    const names = SUBGRAPHS[op.type];
    if (names !== undefined) {
      return names.every((attr) => {
        const callee =
          library.get((op.attrs as Record<string, string>)[attr]!) ?? graph.library.get((op.attrs as Record<string, string>)[attr]!);
        return callee !== undefined && sideEffectFree(callee.graph, callee.graph.library);
      });
    }
    return op.def.stateful !== true || READS_ONLY.has(op.type);
  });
}

/** True when every output of `graph` has a static shape. */
function staticOutputs(graph: FuncGraph): boolean {
  return graph.outputs.every((o) => isConcrete(o.shape));
}

/**
 * Whether an `If` with these branches runs predicated on `backend`: the backend reads
 * asynchronously and can guard work, both branches are side-effect free, need no host read
 * themselves, and produce the same static shapes (so `SelectV2` can pick between them).
 */
export function canPredicate(thenName: string, elseName: string, library: Library, backend: Backend, registry: BackendRegistry): boolean {
  if (readsSync(backend) || backend.guard === undefined) return false;
  const then = library.get(thenName);
  const other = library.get(elseName);
  if (then === undefined || other === undefined) return false;
  const [a, b] = [then.graph, other.graph];
  if (!staticOutputs(a) || !staticOutputs(b) || a.outputs.length !== b.outputs.length) return false;
  if (!a.outputs.every((o, i) => shapesEqual(o.shape, b.outputs[i]!.shape) && o.dtype === b.outputs[i]!.dtype)) return false;
  if (!sideEffectFree(a) || !sideEffectFree(b)) return false;
  return !planFor(a, backend, registry).mayRead && !planFor(b, backend, registry).mayRead;
}

/** `where(pred, a, b)` as an owned slot (a kernel on the backend). */
export function selectSlot(registry: BackendRegistry, pred: DataSlot, a: DataSlot, b: DataSlot, backend: Backend): DataSlot {
  return runKernelNow(registry, SelectV2, [pred, a, b], backend);
}

/** `a && b` of two bool scalars as an owned slot. */
export function andSlot(registry: BackendRegistry, a: DataSlot, b: DataSlot, backend: Backend): DataSlot {
  return runKernelNow(registry, LogicalAnd, [a, b], backend);
}

/**
 * Frees the values among `candidates` that are not `kept` and not the op's own inputs,
 * each once (into the run's pool, where the next kernels find them).
 */
export function releaseUnkept(
  candidates: readonly SlotValue[],
  kept: readonly SlotValue[],
  inputs: readonly SlotValue[],
  pool: BufferPool,
): void {
  const done = new Set<SlotValue>();
  for (const value of candidates) {
    if (value.kind !== "data" || done.has(value) || kept.includes(value) || inputs.includes(value)) continue;
    done.add(value);
    // A kept unowned alias of this buffer (a plan returned it twice) inherits it instead.
    const heir = value.owned
      ? kept.find((k): k is DataSlot => k.kind === "data" && k.dataId === value.dataId && !k.owned && k.release === undefined)
      : undefined;
    if (heir !== undefined) heir.owned = true;
    else pool.give(value);
  }
}
