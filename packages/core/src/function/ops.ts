/**
 * The function layer's ops: what tracing records besides core's op families (variable
 * reads and writes, calls of concrete functions, control flow, printing, custom
 * gradients). With `coreOpDefs()` they make up the ops a saved graph may name.
 */
export { ReadVariableOp, AssignVariableOp, AssignAddVariableOp, AssignSubVariableOp } from "./variable_ops.js";
export { PartitionedCall, StatefulPartitionedCall } from "./call_ops.js";
export { If, StatelessIf, While, StatelessWhile } from "./control_flow/ops.js";
export { PrintV2 } from "./print.js";
export { CustomGradient } from "./custom_gradient_op.js";

import type { AnyOpDef } from "../ir/op.js";
import { coreOpDefs, isOpDef } from "../ops/op_list.js";
import * as functionOps from "./ops.js";

/**
 * Every op core declares, once each: the op families (`ops/index.ts`), the IR's builtins
 * and the function layer's ops above. Backends' kernel coverage tests and the loader's
 * known ops derive from it.
 *
 * ```ts
 * tf.coreOps().filter((op) => op.execution === undefined); // the ops a backend needs kernels for
 * ```
 */
export function coreOps(): AnyOpDef[] {
  return [...coreOpDefs(), ...Object.values(functionOps).filter(isOpDef)];
}
