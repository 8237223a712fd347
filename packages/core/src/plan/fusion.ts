import { type ConcreteShape, isConcrete, shapesEqual, sizeOf } from "../base/shape.js";
import type { FusedCluster, FusedOperand, FusionCapabilities } from "../backend/backend.js";
import type { Operation, OpOutput } from "../ir/graph.js";
import type { ConcreteInfo } from "../ir/op.js";

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


/** An elementwise step with scalar semantics, stateless, with one output of known shape. */
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

/** A step whose output may head a cluster as the backend allows (MatMul, Conv2D, a reduction). */
function headable(step: PendingStep, fusion: FusionCapabilities): boolean {
  const op = step.op;
  return (
    fusion.epilogues.includes(op.type) &&
    op.def.stateful !== true &&
    op.outputs.length === 1 &&
    isConcrete(op.outputs[0]!.shape) &&
    op.inputs.every((i) => isConcrete(i.shape))
  );
}

/** True when `shape` broadcasts to `target` (NumPy rules, aligned on the right). */
function broadcastsTo(shape: ConcreteShape, target: ConcreteShape): boolean {
  if (shape.length > target.length) return false;
  const offset = target.length - shape.length;
  return shape.every((d, i) => d === 1 || d === target[i + offset]);
}

/**
 * Groups consecutive fusible steps (elementwise, stateless, one static output) that all
 * produce the same shape and whose inputs are that shape, single elements or (when the
 * backend declares `fusion.broadcast`) any shape that broadcasts to it. A group may be
 * headed by the step right before it when the backend fuses epilogues onto that op and
 * its output feeds only the group. A single fusible step forms a group of its own.
 * Because only consecutive steps group, every input from outside a group is computed
 * before the group starts. `usedLater(slot, index)` says whether a slot is read after step
 * `index` (or is a graph output).
 */
export function findClusters(steps: readonly PendingStep[], fusion: FusionCapabilities, usedLater: (slot: number, index: number) => boolean): FusedGroup[] {
  const groups: FusedGroup[] = [];
  let start = 0;
  while (start < steps.length) {
    const head = headable(steps[start]!, fusion) ? steps[start] : undefined;
    const firstIndex = head === undefined ? start : start + 1;
    const first = steps[firstIndex];
    if (first === undefined || !fusible(first)) {
      start++;
      continue;
    }
    const shape = first.op.outputs[0]!.shape as ConcreteShape;
    const fits = (step: PendingStep) =>
      fusible(step) &&
      shapesEqual(step.op.outputs[0]!.shape, shape) &&
      step.op.inputs.every(
        (i: OpOutput) => isConcrete(i.shape) && (shapesEqual(i.shape, shape) || sizeOf(i.shape) === 1 || (fusion.broadcast && broadcastsTo(i.shape, shape))),
      );
    if (!fits(first)) {
      start++;
      continue;
    }
    let end = firstIndex;
    while (end + 1 < steps.length && fits(steps[end + 1]!)) end++;
    // The head's value must feed the group and nothing after it.
    const headed =
      head !== undefined &&
      shapesEqual(head.op.outputs[0]!.shape, shape) &&
      !usedLater(head.outputs[0]!, end) &&
      steps.slice(firstIndex, end + 1).some((s) => s.inputs.includes(head.outputs[0]!));
    if (head !== undefined && !headed) {
      // Without its head, the group starts at the elementwise step.
      start = firstIndex;
      continue;
    }
    // A lone op is a cluster too: its compiled loop skips the generic kernel's per-call dispatch.
    groups.push(buildGroup(headed ? head : undefined, steps.slice(firstIndex, end + 1), shape, end, usedLater));
    start = end + 1;
  }
  return groups;
}

function buildGroup(
  head: PendingStep | undefined,
  members: readonly PendingStep[],
  shape: ConcreteShape,
  lastIndex: number,
  usedLater: (slot: number, index: number) => boolean,
): FusedGroup {
  const producedBy = new Map<number, FusedOperand>();
  const inputSlots: number[] = [];
  const inputs: ConcreteInfo[] = [];
  const inputIndex = (slot: number, info: OpOutput): number => {
    let index = inputSlots.indexOf(slot);
    if (index < 0) {
      index = inputSlots.push(slot) - 1;
      inputs.push(info as ConcreteInfo);
    }
    return index;
  };
  let clusterHead: FusedCluster["head"];
  if (head !== undefined) {
    clusterHead = {
      op: head.op.def,
      attrs: head.op.attrs,
      inputs: head.inputs.map((slot, k) => inputIndex(slot, head.op.inputs[k]!)),
      outputs: head.op.outputs as unknown as ConcreteInfo[],
    };
    producedBy.set(head.outputs[0]!, { head: 0 });
  }
  const ops = members.map((step, j) => {
    const operands: FusedOperand[] = step.inputs.map((slot, k) => producedBy.get(slot) ?? { input: inputIndex(slot, step.op.inputs[k]!) });
    producedBy.set(step.outputs[0]!, { op: j });
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
  const steps = head === undefined ? members : [head, ...members];
  return { steps, cluster: { shape, inputs, ...(clusterHead !== undefined ? { head: clusterHead } : {}), ops, outputs }, inputSlots, outputSlots };
}
