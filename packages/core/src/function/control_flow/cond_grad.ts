import type { LibraryFunction } from "../../ir/func_graph.js";
import type { GradArgs } from "../../ir/op.js";
import { zerosLike } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import { getRuntime } from "../../trace/runtime.js";
import { replayGraph } from "../replay.js";
import { cond } from "./cond.js";
import type { IfAttrs } from "./ops.js";

/**
 * The gradient of `If` (graph mode; an eager cond is recorded op by op): a backward `cond`
 * on the same predicate whose branches replay the forward branch under a tape and return
 * the gradient of each float input. Variables the branches read arrive as their values
 * (read before the op, see TapeTrace), so they get gradients like any input.
 */
export function ifGradient({ inputs, dys, attrs, differentiate }: GradArgs<IfAttrs, Tensor>): (Tensor | null)[] {
  const library = getRuntime().graphTrace()!.graph.library;
  const pred = inputs[0]!;
  const wanted = inputs.map((x, i) => i > 0 && x.dtype === "float32");
  const branchGradient = (branch: LibraryFunction, map: readonly number[]) => () => {
    const branchInputs = map.map((i) => inputs[i]!);
    const sources = map.filter((i) => wanted[i]);
    const grads = differentiate(
      () => replayGraph(branch.graph, branchInputs),
      sources.map((i) => inputs[i]!),
      dys,
    );
    return inputs.flatMap((x, i) => {
      if (!wanted[i]) return [];
      const k = sources.indexOf(i);
      return [k >= 0 ? (grads[k] ?? zerosLike(x)) : zerosLike(x)];
    });
  };
  const thenBranch = library.get(attrs.thenBranch)!;
  const elseBranch = library.get(attrs.elseBranch)!;
  const grads = cond(pred, branchGradient(thenBranch, attrs.thenInputs), branchGradient(elseBranch, attrs.elseInputs));
  let next = 0;
  return inputs.map((_, i) => (wanted[i] ? grads[next++]! : null));
}
