import { ShapeError, formatShape } from "../base/errors.js";
import { type ConcreteShape, type Shape, shapesEqual } from "../base/shape.js";
import type { VariableAccess } from "../plan/execution.js";
import { type DataSlot, dataSlot } from "../plan/slots.js";
import { type EagerHandle, releaseHandle } from "../tensor/handle.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Runtime } from "./runtime.js";

/** What the runtime needs of a variable (`tf.Variable` implements it). */
export interface VariableState {
  readonly name: string;
  readonly shape: Shape;
  /** The current value (owned by the variable). */
  readonly eagerValue: Tensor;
  /** Installs `next` (already kept) and returns the previous value, for the caller to release. */
  swapValue(next: Tensor): Tensor;
}

/**
 * Variable reads and writes of a synchronous call: straight on the variables. A read pins
 * the buffer it read, so a later assignment in the same call (or a nested one) cannot free
 * it before the read's last use; a write checks the shape at run time (a trace with
 * relaxed dims cannot check it earlier) and releases the previous value.
 *
 * ```ts
 * const access = directVariableAccess(runtime);
 * const slot = access.read(v, backend, "ReadVariableOp");
 * ```
 */
export function directVariableAccess(runtime: Runtime): VariableAccess {
  return {
    read(variable, backend, op) {
      const value = (variable as VariableState).eagerValue;
      if (value.handle.kind !== "eager" || value.isDisposed) {
        const pinned = runtime.retain(value);
        return dataSlot(backend, runtime.dataOn(pinned, backend, op), pinned.shape as ConcreteShape, pinned.dtype, false, () => pinned.dispose());
      }
      const dataId = runtime.dataOn(value, backend, op);
      // The pin is one more hold on the value's handle (as a retained tensor would be, without
      // the tensor): the plan lets go of it at the read's last use, or when the run fails.
      const handle = value.handle as EagerHandle;
      handle.refs++;
      let held = true;
      const release = () => {
        if (!held) return;
        held = false;
        releaseHandle(handle, runtime.recycle);
      };
      return dataSlot(backend, dataId, value.shape as ConcreteShape, value.dtype, false, release);
    },
    peek(variable, backend, op) {
      const tensor = (variable as VariableState).eagerValue;
      return dataSlot(backend, runtime.dataOn(tensor, backend, op), tensor.shape as ConcreteShape, tensor.dtype, false);
    },
    write(variable, value, op) {
      const state = variable as VariableState;
      checkVariableShape(state, value, op);
      const tensor = runtime.tracker.keep(runtime.wrap(value.backend, value.dataId, value.shape, value.dtype));
      state.swapValue(tensor).dispose();
    },
    exclusive(variable, backend) {
      const handle = (variable as VariableState).eagerValue.handle;
      return handle.kind === "eager" && handle.refs === 1 && handle.pending === undefined && handle.backend === backend;
    },
  };
}

/** A variable's shape never changes: a value of another shape is freed and reported. */
export function checkVariableShape(variable: VariableState, value: DataSlot, op: string): void {
  if (shapesEqual(value.shape, variable.shape)) return;
  if (value.owned) value.backend.disposeData(value.dataId);
  throw new ShapeError(
    `${op}: variable '${variable.name}' has shape ${formatShape(variable.shape)} but the value has shape ${formatShape(value.shape)}; a variable's shape never changes`,
  );
}
