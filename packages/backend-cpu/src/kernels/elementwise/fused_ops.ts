import { type DType, type FusedCluster, type FusedOperand, renderScalar, scalarKernelOf } from "@kiln/core";
import { exactInFloat32 } from "./exact_float32.js";
import { jsDialect, loadJs, roundJs } from "./js_dialect.js";
import { INLINED_HELPERS } from "./math.js";

/** One op of a fused cluster rendered as JS statements that declare `t<j>`. */
export interface FusedOpSource {
  readonly lines: readonly string[];
  readonly dtype: DType;
  /** The loop inputs it reads as `v<k>` (the head's outputs come after the cluster's inputs). */
  readonly inputs: readonly number[];
  /** The earlier ops whose `t<m>` it reads. */
  readonly ops: readonly number[];
  /** Whether it calls a float32 math helper V8 inlines (exp, log, tanh, erf, ...): a large body. */
  readonly heavy: boolean;
}

/** Each cluster input's dtype; the head's output comes last, read like an input. */
function operandDtype(cluster: FusedCluster, operand: FusedOperand): DType {
  if ("input" in operand) return cluster.inputs[operand.input]!.dtype;
  if ("op" in operand) return cluster.ops[operand.op]!.dtype;
  return cluster.head!.outputs[operand.head]!.dtype;
}

/**
 * Renders every op of a cluster for one element: op j's scalar semantics (core's data,
 * rendered by `jsDialect`) with operands renamed to `v<k>` (loop input k's element) or
 * `t<m>` (an earlier op's value). A float32 result is rounded with Math.fround unless it is
 * already a float32 (`exactInFloat32`: relu, neg, abs, ...), so values match running the ops
 * one by one bit for bit. Returns undefined when an op has no scalar semantics for its dtypes.
 *
 * ```ts
 * renderFusedOps(cluster)![0]!.lines; // ["const t0 = Math.fround((v0 + v1));"]
 * ```
 */
export function renderFusedOps(cluster: FusedCluster): FusedOpSource[] | undefined {
  const headInput = cluster.inputs.length;
  const sources: FusedOpSource[] = [];
  for (const [j, fused] of cluster.ops.entries()) {
    const kernel = scalarKernelOf(
      fused.op,
      fused.operands.map((o) => operandDtype(cluster, o)),
      fused.dtype,
      fused.attrs,
    );
    if (kernel === undefined) return undefined;
    const inputs = new Set<number>();
    const ops = new Set<number>();
    const names = fused.operands.map((operand, k) => {
      if ("op" in operand) {
        ops.add(operand.op);
        return `t${operand.op}`;
      }
      const input = "input" in operand ? operand.input : headInput + operand.head;
      inputs.add(input);
      return loadJs(`v${input}`, kernel.args[k]!);
    });
    const rendered = renderScalar(kernel, jsDialect, names, `t${j}`);
    const value = fused.dtype === "float32" && exactInFloat32(kernel.body) ? rendered.value : roundJs(rendered.value, fused.dtype);
    const lines = [...rendered.statements, `const t${j} = ${value};`];
    sources.push({
      lines,
      dtype: fused.dtype,
      inputs: [...inputs],
      ops: [...ops],
      heavy: lines.some((line) => INLINED_HELPERS.test(line)),
    });
  }
  return sources;
}
