import { GradientTape } from "../../autodiff/gradient_tape.js";
import { replayGraph } from "../../autodiff/replay.js";
import { isResourceOutput, type OpOutput } from "../../ir/graph.js";
import type { GradArgs } from "../../ir/op.js";
import { zerosLike } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import { getRuntime } from "../../trace/runtime.js";
import type { Subgraph } from "../subgraph.js";
import { cond } from "./cond.js";
import type { IfAttrs } from "./ops.js";

function isResource(t: Tensor): boolean {
  const ref = (t.handle as { ref?: OpOutput }).ref;
  return ref !== undefined && isResourceOutput(ref);
}

/**
 * The gradient of `If` (graph mode; an eager cond is recorded op by op): a backward `cond`
 * on the same predicate whose branches replay the forward branch under a tape and return
 * the gradient of each float input. Variables read inside the branches get no gradient
 * through the cond.
 */
export function ifGradient({ inputs, dys, attrs }: GradArgs<IfAttrs, Tensor>): (Tensor | null)[] {
  const library = getRuntime().graphTrace()!.graph.library;
  const pred = inputs[0]!;
  const wanted = inputs.map((x, i) => i > 0 && x.dtype === "float32" && !isResource(x));
  const branchGradient = (branch: Subgraph, map: readonly number[]) => () => {
    const branchInputs = map.map((i) => inputs[i]!);
    const tape = new GradientTape();
    const outputs = tape.record(() => {
      tape.watch(branchInputs.filter((_x, k) => wanted[map[k]!]));
      return replayGraph(branch.graph, branchInputs);
    });
    const sources = map.filter((i) => wanted[i]);
    const grads =
      sources.length === 0
        ? []
        : tape.gradient(
            outputs,
            sources.map((i) => inputs[i]!),
            [...dys],
          );
    return inputs.flatMap((x, i) => {
      if (!wanted[i]) return [];
      const k = sources.indexOf(i);
      return [k >= 0 ? (grads[k] ?? zerosLike(x)) : zerosLike(x)];
    });
  };
  const thenBranch = library.get(attrs.thenBranch) as Subgraph;
  const elseBranch = library.get(attrs.elseBranch) as Subgraph;
  const grads = cond(pred, branchGradient(thenBranch, attrs.thenInputs), branchGradient(elseBranch, attrs.elseInputs));
  let next = 0;
  return inputs.map((_, i) => (wanted[i] ? grads[next++]! : null));
}
