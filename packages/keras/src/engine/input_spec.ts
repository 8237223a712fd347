/**
 * Input specs: what a layer accepts (rank, known axis sizes, dtype). `Layer.apply` checks
 * them before `call`, so a wrong shape fails with a message naming the layer and the axis
 * rather than deep inside an op.
 *
 * ```ts
 * this.inputSpec = [{ minNdim: 2, axes: { [-1]: inputDim } }];
 * ```
 */
import { InputShapeError } from "../errors.js";
import { formatKerasShape } from "../utils/shape.js";

/** Constraints one input must satisfy. */
export interface InputSpec {
  /** Exact rank. */
  ndim?: number;
  /** Minimum rank. */
  minNdim?: number;
  /** Maximum rank. */
  maxNdim?: number;
  /** Required sizes of given axes (negative axes count from the end). */
  axes?: Record<number, number>;
}

/** Throws an `InputShapeError` naming the layer if `shape` breaks `spec`. */
export function checkInputSpec(layerName: string, index: number, spec: InputSpec | undefined, shape: readonly (number | null)[]): void {
  if (spec === undefined) return;
  const where = `Input ${index} of layer '${layerName}'`;
  const got = `received an input of shape ${formatKerasShape(shape)}`;
  if (spec.ndim !== undefined && shape.length !== spec.ndim) {
    throw new InputShapeError(`${where} is incompatible with the layer: expected rank ${spec.ndim}, ${got}`);
  }
  if (spec.minNdim !== undefined && shape.length < spec.minNdim) {
    throw new InputShapeError(`${where} is incompatible with the layer: expected rank >= ${spec.minNdim}, ${got}`);
  }
  if (spec.maxNdim !== undefined && shape.length > spec.maxNdim) {
    throw new InputShapeError(`${where} is incompatible with the layer: expected rank <= ${spec.maxNdim}, ${got}`);
  }
  for (const [key, size] of Object.entries(spec.axes ?? {})) {
    const axis = Number(key);
    const dim = shape[axis < 0 ? shape.length + axis : axis];
    if (dim !== null && dim !== undefined && dim !== size) {
      throw new InputShapeError(`${where} is incompatible with the layer: expected axis ${axis} to have size ${size}, ${got}`);
    }
  }
}
