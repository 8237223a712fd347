import type { DType, DataArray } from "../base/dtype.js";
import type { ConcreteShape } from "../base/shape.js";
import type { AnyOpDef } from "../ir/op.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * What happens when an op is called. The runtime keeps a stack of traces; the top one
 * receives every `bind`. The eager trace runs kernels; a graph trace records operations
 * into the function graph being built; a gradient tape records and forwards.
 */
export interface Trace {
  bind(op: AnyOpDef, inputs: readonly Tensor[], attrs: object): Tensor[];
  /**
   * A tensor holding literal values (eager data, or a `Const` node in a graph). `name` is a
   * hint for the graph node, like TF's `pow/y` for the literal operand of `pow`.
   */
  constant(values: DataArray, shape: ConcreteShape, dtype: DType, name?: string): Tensor;
}
