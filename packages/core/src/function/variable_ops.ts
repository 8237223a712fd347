import { DTypeError, KilnError, ShapeError, formatShape } from "../base/errors.js";
import { Identity } from "../ir/builtin_ops.js";
import { type AnyOpDef, defineOp } from "../ir/op.js";
import { AddV2, Sub } from "../ops/binary.js";
import type { ExecuteArgs } from "../plan/execution.js";
import { runKernelNow } from "../plan/host_ops.js";
import { type DataSlot, dataSlot, type SlotValue } from "../plan/slots.js";

/** The variable a variable op's resource input (input 0) refers to. */
function variableOf(args: ExecuteArgs): object {
  const slot = args.inputs[0];
  if (slot?.kind !== "resource") throw new KilnError(`${args.name}: expected a variable resource as input 0`);
  return slot.value;
}

/** Input `index` as a value the variable may own: the slot itself when it dies here, else a copy. */
function takeOrCopy(args: ExecuteArgs, index: number): DataSlot {
  const slot = args.inputs[index] as DataSlot;
  if (slot.owned && args.isLastUse(index)) {
    slot.owned = false;
    return dataSlot(slot.backend, slot.dataId, slot.shape, slot.dtype, true);
  }
  return runKernelNow(args.context.registry, Identity, [slot], args.backend);
}

function readVariable(args: ExecuteArgs): SlotValue[] {
  return [args.context.variables.read(variableOf(args), args.backend, args.name)];
}

function assignVariable(args: ExecuteArgs): SlotValue[] {
  args.context.variables.write(variableOf(args), takeOrCopy(args, 1), args.name);
  return [];
}

/**
 * An update `variable = op(variable, value)`, run now with `op`'s kernel. When nothing but
 * the variable holds its buffer (no read pinned it, no snapshot shares it) the kernel
 * writes into that buffer in place; otherwise into a dead buffer from the pool, and the
 * old value's buffer goes back to the pool when it is released.
 */
function updateVariable(op: AnyOpDef) {
  return (args: ExecuteArgs): SlotValue[] => {
    const { variables, registry } = args.context;
    const variable = variableOf(args);
    const current = variables.peek(variable, args.backend, args.name);
    const inPlace = variables.exclusive?.(variable, args.backend) === true;
    const out = inPlace ? current.dataId : args.pool.take(current.dtype, current.size);
    const result = runKernelNow(registry, op, [current, args.inputs[1] as DataSlot], args.backend, out);
    if (inPlace && result.dataId === current.dataId) return [];
    if (!inPlace && out !== undefined && result.dataId !== out) args.pool.keep(out, current.dtype, current.size);
    variables.write(variable, result, args.name);
    return [];
  };
}

/** Reads a variable's current value. Input: the variable's resource. */
export const ReadVariableOp = defineOp<{}>({
  name: "ReadVariableOp",
  // Graph nodes are named after `api`; TF names variable ops after their type.
  api: "ReadVariableOp",
  family: "opaque",
  inputs: ["resource"],
  stateful: true,
  // Variable ops run on the host without reading tensor data.
  execution: { kind: "host", run: readVariable, reads: false },
  // Gradients reach variables through the tape's watch of each read, not through this op.
  grad: "none",
  infer: ([resource]) => [{ shape: resource!.shape, dtype: resource!.dtype }],
});

function defineAssign(name: string, api: string, run: (args: ExecuteArgs) => SlotValue[]) {
  return defineOp<{}>({
    name,
    api,
    family: "opaque",
    inputs: ["resource", "value"],
    stateful: true,
    execution: { kind: "host", run, reads: false },
    grad: "none",
    infer: ([resource, value]) => {
      if (value!.dtype !== resource!.dtype) {
        throw new DTypeError(`${api}: the variable has dtype ${resource!.dtype} but the value has dtype ${value!.dtype}; cast the value first`);
      }
      const fits = value!.shape.length === resource!.shape.length && value!.shape.every((d, i) => d === null || resource!.shape[i] === null || d === resource!.shape[i]);
      if (!fits) {
        throw new ShapeError(`${api}: the variable has shape ${formatShape(resource!.shape)} but the value has shape ${formatShape(value!.shape)}; a variable's shape never changes`);
      }
      return [];
    },
  });
}

/** Replaces a variable's value. */
export const AssignVariableOp = defineAssign("AssignVariableOp", "AssignVariableOp", assignVariable);
/** Adds to a variable in place. */
export const AssignAddVariableOp = defineAssign("AssignAddVariableOp", "AssignAddVariableOp", updateVariable(AddV2));
/** Subtracts from a variable in place. */
export const AssignSubVariableOp = defineAssign("AssignSubVariableOp", "AssignSubVariableOp", updateVariable(Sub));
