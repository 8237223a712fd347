import { type ConcreteShape, isConcrete, shapesEqual, sizeOf } from "../base/shape.js";
import type { OpOutput, Operation } from "../ir/graph.js";
import type { ValueInfo } from "../ir/op.js";
import type { FusedCluster, FusedOperand, FusionCapabilities } from "../backend/backend.js";

/** A step as the plan builder sees it before fusion. */
export interface PendingStep {
  readonly op: Operation;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

/** A run of pending steps fused into one, with what the plan needs to execute it. */
export interface FusedGroup {
  readonly steps: readonly PendingStep[];
  readonly cluster: FusedCluster;
  /** Slots read from outside the cluster, in `cluster.inputs` order. */
  readonly inputSlots: readonly number[];
  /** Slots of `cluster.outputs`, in order. */
  readonly outputSlots: readonly number[];
}

function fusible(step: PendingStep): boolean {
  const op = step.op;
  return (
    op.def.family === "elementwise" &&
    op.def.scalar !== undefined &&
    op.def.stateful !== true &&
    op.def.execution === undefined &&
    op.outputs.length === 1 &&
    isConcrete(op.outputs[0]!.shape)
  );
}

function isScalarLike(info: ValueInfo): boolean {
  return isConcrete(info.shape) && sizeOf(info.shape) === 1;
}

/**
 * Groups consecutive fusible steps (elementwise, stateless, one static output) that all
 * produce the same shape and whose inputs are either that shape or single elements. A
 * single such step forms a group of its own.
 * Because only consecutive steps group, every input from outside a group is computed
 * before the group starts. `usedLater(slot, index)` says whether a slot is read after step
 * `index` (or is a graph output).
 */
export function findClusters(steps: readonly PendingStep[], _fusion: FusionCapabilities, usedLater: (slot: number, index: number) => boolean): FusedGroup[] {
  const groups: FusedGroup[] = [];
  let start = 0;
  while (start < steps.length) {
    const first = steps[start]!;
    if (!fusible(first)) {
      start++;
      continue;
    }
    const shape = first.op.outputs[0]!.shape as number[];
    let end = start;
    const fits = (step: PendingStep) =>
      fusible(step) &&
      shapesEqual(step.op.outputs[0]!.shape, shape) &&
      step.op.inputs.every((i: OpOutput) => isConcrete(i.shape) && (shapesEqual(i.shape, shape) || isScalarLike(i)));
    if (!fits(first)) {
      start++;
      continue;
    }
    while (end + 1 < steps.length && fits(steps[end + 1]!)) end++;
    // A lone op is a cluster too: its compiled loop skips the generic kernel's per-call dispatch.
    groups.push(buildGroup(steps.slice(start, end + 1), shape, end, usedLater));
    start = end + 1;
  }
  return groups;
}

function buildGroup(members: readonly PendingStep[], shape: number[], lastIndex: number, usedLater: (slot: number, index: number) => boolean): FusedGroup {
  const producedBy = new Map<number, number>();
  const inputSlots: number[] = [];
  const inputs: (ValueInfo & { shape: ConcreteShape })[] = [];
  const ops = members.map((step, j) => {
    const operands: FusedOperand[] = step.inputs.map((slot, k) => {
      const producer = producedBy.get(slot);
      if (producer !== undefined) return { op: producer };
      let index = inputSlots.indexOf(slot);
      if (index < 0) {
        index = inputSlots.push(slot) - 1;
        inputs.push(step.op.inputs[k]! as ValueInfo & { shape: ConcreteShape });
      }
      return { input: index };
    });
    producedBy.set(step.outputs[0]!, j);
    return { op: step.op.def, attrs: step.op.attrs, operands, dtype: step.op.outputs[0]!.dtype };
  });
  const outputs: number[] = [];
  const outputSlots: number[] = [];
  members.forEach((step, j) => {
    const slot = step.outputs[0]!;
    if (usedLater(slot, lastIndex)) {
      outputs.push(j);
      outputSlots.push(slot);
    }
  });
  return { steps: members, cluster: { shape, inputs, ops, outputs }, inputSlots, outputSlots };
}
