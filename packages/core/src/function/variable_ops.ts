import { DTypeError, ShapeError, formatShape } from "../base/errors.js";
import { defineOp } from "../ir/op.js";

/** Reads a variable's current value. Input: the variable's resource. */
export const ReadVariableOp = defineOp<{}>({
  name: "ReadVariableOp",
  // Graph nodes are named after `api`; TF names variable ops after their type.
  api: "ReadVariableOp",
  family: "opaque",
  inputs: ["resource"],
  stateful: true,
  // Gradients reach variables through the tape's watch of each read, not through this op.
  nonDifferentiable: true,
  infer: ([resource]) => [{ shape: resource!.shape, dtype: resource!.dtype }],
});

function defineAssign(name: string, api: string) {
  return defineOp<{}>({
    name,
    api,
    family: "opaque",
    inputs: ["resource", "value"],
    stateful: true,
    nonDifferentiable: true,
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
export const AssignVariableOp = defineAssign("AssignVariableOp", "AssignVariableOp");
/** Adds to a variable in place. */
export const AssignAddVariableOp = defineAssign("AssignAddVariableOp", "AssignAddVariableOp");
/** Subtracts from a variable in place. */
export const AssignSubVariableOp = defineAssign("AssignSubVariableOp", "AssignSubVariableOp");
