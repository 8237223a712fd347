import { ShapeError, formatShape } from "../base/errors.js";
import { type ConcreteShape, shapesEqual } from "../base/shape.js";
import type { VariableAccess } from "../plan/execution.js";
import { type DataSlot, dataSlot } from "../plan/slots.js";
import type { Runtime } from "../trace/runtime.js";
import type { Variable } from "./variable.js";

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
      const pinned = runtime.retain((variable as Variable).eagerValue);
      const dataId = runtime.dataOn(pinned, backend, op);
      return dataSlot(backend, dataId, pinned.shape as ConcreteShape, pinned.dtype, false, () => pinned.dispose());
    },
    peek(variable, backend, op) {
      const tensor = (variable as Variable).eagerValue;
      return dataSlot(backend, runtime.dataOn(tensor, backend, op), tensor.shape as ConcreteShape, tensor.dtype, false);
    },
    write(variable, value, op) {
      installValue(runtime, variable as Variable, value, op);
    },
  };
}

/** Checks `value` fits `variable` (freeing it if not) and makes it the variable's value. */
export function installValue(runtime: Runtime, variable: Variable, value: DataSlot, op: string): void {
  checkVariableShape(variable, value, op);
  const tensor = runtime.tracker.keep(runtime.wrap(value.backend, value.dataId, value.shape, value.dtype));
  variable.swapValue(tensor).dispose();
}

/** A variable's shape never changes: a value of another shape is freed and reported. */
export function checkVariableShape(variable: Variable, value: DataSlot, op: string): void {
  if (shapesEqual(value.shape, variable.shape)) return;
  if (value.owned) value.backend.disposeData(value.dataId);
  throw new ShapeError(
    `${op}: variable '${variable.name}' has shape ${formatShape(variable.shape)} but the value has shape ${formatShape(value.shape)}; a variable's shape never changes`,
  );
}
