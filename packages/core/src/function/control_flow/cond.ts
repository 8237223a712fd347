import { ArgumentError, DTypeError, formatShape, ShapeError } from "../../base/errors.js";
import { toTensor } from "../../ops/convert.js";
import { asTensor, type TensorLike } from "../../tensor/convert.js";
import { Tensor } from "../../tensor/tensor.js";
import { getRuntime } from "../../trace/runtime.js";
import { mapStructure } from "../structure.js";
import { traceSubgraph } from "../subgraph.js";
import { Variable } from "../variable.js";

import { If, type IfAttrs, StatelessIf } from "./ops.js";
import { stageEagerly } from "./staging.js";
import { checkSameStructure, mergeShapes } from "./structure_check.js";

/** True if any operation of the sub-graphs has side effects (then the op is the stateful variant). */
export function anyStateful(subgraphs: readonly { graph: { operations: readonly { def: { stateful?: boolean } }[] } }[]): boolean {
  return subgraphs.some((g) => g.graph.operations.some((o) => o.def.stateful === true));
}

/** Options of `tf.cond`. */
export interface CondOptions {
  /** Names of the result's leaves, for error messages (AutoGraph passes variable names). */
  readonly names?: readonly string[];
}

function checkPredicate(pred: Tensor): void {
  if (pred.dtype !== "bool")
    throw new DTypeError(`cond: pred must be a bool tensor, received dtype ${pred.dtype}; compare it first (e.g. tf.greater(x, 0))`);
  if (pred.size !== 1 && pred.size !== null) throw new ShapeError(`cond: pred must be a scalar, received shape ${formatShape(pred.shape)}`);
}

/**
 * Runs `trueFn` if `pred` is true, else `falseFn`. Eagerly (or with a JS boolean) it just
 * calls one of them. While tracing with a symbolic `pred`, both branches are traced into
 * sub-graphs of one `If` op, which must return the same structure and dtypes (shapes may
 * differ: the result gets `null` dims).
 *
 * ```ts
 * const y = tf.cond(tf.greater(x, 0), () => x.mul(2), () => x.neg());
 * ```
 */
export function cond<T>(pred: TensorLike, trueFn: () => T, falseFn: () => T, options: CondOptions = {}): T {
  if (typeof trueFn !== "function" || typeof falseFn !== "function") {
    throw new ArgumentError(
      `cond: trueFn and falseFn must be functions, received ${typeof trueFn} and ${typeof falseFn}; wrap values in arrows, e.g. tf.cond(p, () => a, () => b)`,
    );
  }
  if (typeof pred === "boolean") return pred ? trueFn() : falseFn();
  const p = asTensor(pred) ?? toTensor(pred, "cond", "pred");
  checkPredicate(p);
  if (!p.isSymbolic) {
    if (p.canReadSync) return p.dataSync()[0] ? trueFn() : falseFn();
    // The predicate cannot be read now (an async-only backend): run the cond as a staged call.
    return stageEagerly("cond", (q) => cond(q, trueFn, falseFn, options), [p]);
  }
  const runtime = getRuntime();
  const thenBranch = traceSubgraph("cond_true", [], () => trueFn());
  const elseBranch = traceSubgraph("cond_false", [], () => falseFn());
  checkSameStructure(thenBranch.structure, elseBranch.structure, options.names, ["in the main branch", "in the else branch"]);
  const Tout = thenBranch.outputs.map((t, i) => ({
    shape: mergeShapes(t.shape, elseBranch.outputs[i]!.shape, options.names?.[i] === undefined ? `output ${i}` : `'${options.names[i]}'`),
    dtype: t.dtype,
  }));
  const def = anyStateful([thenBranch, elseBranch]) ? If : StatelessIf;
  const captured: object[] = [];
  const indices = [thenBranch, elseBranch].map((g) =>
    g.captured.map((v) => (captured.includes(v) ? captured.indexOf(v) : captured.push(v) - 1) + 1),
  );
  const inputs = captured.map((v) => (v instanceof Variable ? v.resource(def) : (v as Tensor)));
  const attrs: IfAttrs = {
    thenBranch: thenBranch.name,
    elseBranch: elseBranch.name,
    thenInputs: indices[0]!,
    elseInputs: indices[1]!,
    Tout,
  };
  const library = runtime.graphTrace()!.graph.library;
  library.set(thenBranch.name, thenBranch);
  library.set(elseBranch.name, elseBranch);
  const outputs = runtime.trace.bind(def, [p, ...inputs], attrs);
  let next = 0;
  return mapStructure(thenBranch.structure, (leaf) => (leaf instanceof Tensor ? outputs[next++] : leaf)) as T;
}
