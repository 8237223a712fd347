import { Operation } from "../ir/graph.js";
import { type AnyOpDef, defineOp, type OpDef, type ValueInfo } from "../ir/op.js";
import { FLOAT } from "../ops/define_elementwise.js";
import { inferPool, type PoolAttrs } from "../ops/window_attrs.js";
import { attrsKey } from "./plan_passes.js";

// Max-pool backward without recomputing the argmax. A training step's graph holds
// `MaxPool(x)` and, from its gradient rule, `MaxPoolGrad(x, y, dy)`, which scans every
// window of `x` again to find where the maximum was. Where the backend registers kernels
// for the two ops below, a plan runs the pair as `MaxPoolWithArgmax(x) -> (y, argmax)` and
// `MaxPoolGradWithArgmax(x, dy, argmax)` instead (TF's names): the forward remembers each
// window's winner, the backward only scatters. They are optional, plan-only ops: graphs
// never hold them (so saved files, gradients and exporters never see them), `coreOps()`
// does not list them, and a backend without their kernels runs the graph as traced.
// Backends register kernels for them by name like any op (`{ op: "MaxPoolWithArgmax", ... }`).

/**
 * `MaxPoolWithArgmax`: MaxPool's output and, for each output element, the flat index into
 * `x` (batch included) of its window's first maximum (a NaN, once met, wins), or -1 for a
 * window entirely in the padding. Outputs: `[y, argmax]`, argmax int32.
 */
export const MaxPoolWithArgmax: OpDef<PoolAttrs> = defineOp<PoolAttrs>({
  name: "MaxPoolWithArgmax",
  api: "maxPool",
  family: "contraction",
  inputs: ["x"],
  infer: ([x], attrs) => {
    const [y] = inferPool("maxPool", x!, attrs, FLOAT);
    return [y!, { shape: y!.shape, dtype: "int32" }];
  },
  grad: "none",
});

/** `MaxPoolGradWithArgmax`: each of `dy`'s elements added onto `x`'s element at its `argmax` index (none for -1). Output shaped like `x`. */
export const MaxPoolGradWithArgmax: OpDef<PoolAttrs> = defineOp<PoolAttrs>({
  name: "MaxPoolGradWithArgmax",
  api: "maxPoolGrad",
  family: "contraction",
  inputs: ["x", "dy", "argmax"],
  infer: ([x]) => [x!],
  grad: "none",
});

/** What `pairMaxPools` decided: the op each paired MaxPool and MaxPoolGrad runs as. */
export interface PoolArgmaxPairs {
  /** A paired `MaxPool` → its `MaxPoolWithArgmax` (output 0 stands for the MaxPool's output). */
  readonly forward: Map<Operation, Operation>;
  /** A paired `MaxPoolGrad` → its `MaxPoolGradWithArgmax` (reading the forward's argmax). */
  readonly backward: Map<Operation, Operation>;
}

/**
 * Finds each `MaxPoolGrad(x, y, dy)` whose `y` is a float `MaxPool(x)` of the same `x` and
 * attrs among `ops`, and builds the argmax pair that replaces both. Returns undefined when
 * there is none, or when `hasKernels` says the backend cannot run the pair.
 *
 * ```ts
 * const pairs = pairMaxPools(liveOperations(graph), () => registry.hasKernel("MaxPoolWithArgmax", "cpu"));
 * ```
 */
export function pairMaxPools(ops: readonly Operation[], hasKernels: () => boolean): PoolArgmaxPairs | undefined {
  const grads = ops.filter((op) => op.type === "MaxPoolGrad" && op.inputs[1]!.op.type === "MaxPool");
  const paired = grads.filter((grad) => {
    const pool = grad.inputs[1]!.op;
    return pool.inputs[0] === grad.inputs[0] && pool.outputs[0]!.dtype === "float32" && attrsKey(pool.attrs) === attrsKey(grad.attrs);
  });
  if (paired.length === 0 || !hasKernels()) return undefined;
  const forward = new Map<Operation, Operation>();
  const backward = new Map<Operation, Operation>();
  for (const grad of paired) {
    const pool = grad.inputs[1]!.op;
    let withArgmax = forward.get(pool);
    if (withArgmax === undefined) {
      const infos = MaxPoolWithArgmax.infer([pool.inputs[0]!], pool.attrs as unknown as PoolAttrs);
      withArgmax = new Operation(pool.name, MaxPoolWithArgmax, pool.inputs, pool.attrs, infos, pool.controlInputs);
      forward.set(pool, withArgmax);
    }
    const inputs = [grad.inputs[0]!, grad.inputs[2]!, withArgmax.outputs[1]!];
    backward.set(
      grad,
      new Operation(grad.name, MaxPoolGradWithArgmax, inputs, grad.attrs, grad.outputs as readonly ValueInfo[], grad.controlInputs),
    );
  }
  return { forward, backward };
}

/**
 * The optional ops plans may introduce (never in graphs, never required of a backend): a
 * backend that registers their kernels gets the faster plan.
 *
 * ```ts
 * planOnlyOps().map((op) => op.name); // ["MaxPoolWithArgmax", "MaxPoolGradWithArgmax"]
 * ```
 */
export function planOnlyOps(): AnyOpDef[] {
  return [MaxPoolWithArgmax, MaxPoolGradWithArgmax];
}
