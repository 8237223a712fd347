import { methodTables } from "../ops/op_list.js";
import type { Tensor } from "../tensor/tensor.js";
import { Variable } from "./variable.js";

/** Tensor members that are not op methods: Variable has its own (or none) of these. */
type TensorOwnMember =
  | "id"
  | "shape"
  | "dtype"
  | "handle"
  | "rank"
  | "size"
  | "isDisposed"
  | "isSymbolic"
  | "isResource"
  | "canReadSync"
  | "isPending"
  | "data"
  | "dataSync"
  | "array"
  | "arraySync"
  | "print"
  | "dispose"
  | "toString"
  | typeof Symbol.toPrimitive
  | typeof Symbol.dispose;

/** Every chainable op method of Tensor (`add`, `matMul`, `sum`, `reshape`, ...). */
type TensorOpMethods = Omit<Tensor, TensorOwnMember>;

declare module "./variable.js" {
  // The op methods, installed by `installVariableMethods`, compute with the current value.
  interface Variable extends TensorOpMethods {}
}

/**
 * Gives Variable every chainable op method of Tensor (`v.add(1)`, `v.square().sum()`), as in
 * tfjs where a variable is a tensor. Each computes with the variable's current value (read
 * for the op like `tf.add(v, 1)` reads it: traced as a `ReadVariableOp`, watched by
 * recording tapes) and returns a new tensor. Called once by the package entry point.
 *
 * ```ts
 * const v = tf.variable(tf.scalar(2));
 * v.mul(3).arraySync(); // 6
 * ```
 */
export function installVariableMethods(): void {
  for (const table of methodTables()) {
    for (const [name, method] of Object.entries(table)) {
      if (name in Variable.prototype) continue;
      const forVariable = function (this: Variable, ...args: unknown[]): unknown {
        return method.apply(this.readForOp(), args);
      };
      Object.defineProperty(forVariable, "name", { value: name });
      Object.defineProperty(Variable.prototype, name, { value: forVariable, writable: true, configurable: true, enumerable: false });
    }
  }
}
