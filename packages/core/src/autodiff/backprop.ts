import { formatShape, KilnError, ShapeError } from "../base/errors.js";
import { add } from "../ops/binary.js";
import type { Tensor } from "../tensor/tensor.js";
import type { TapeEntry } from "./tape.js";

/**
 * Reverse-mode accumulation over recorded entries. Only entries on a path from a source
 * to a target run their rules; gradients of tensors used several times are summed.
 * Returns the gradient of each source (`null` when disconnected).
 */
export function backprop(
  entries: readonly TapeEntry[],
  targets: readonly Tensor[],
  targetGrads: readonly Tensor[],
  sources: readonly Tensor[],
): (Tensor | null)[] {
  // Forward pass over the tape: which tensors depend on a source.
  const relevant = new Set<Tensor>(sources);
  const useful: TapeEntry[] = [];
  for (const entry of entries) {
    if (entry.inputs.some((t) => relevant.has(t))) {
      useful.push(entry);
      for (const t of entry.outputs) relevant.add(t);
    }
  }
  const grads = new Map<Tensor, Tensor>();
  const accumulate = (tensor: Tensor, grad: Tensor, where: string): void => {
    // Known dims must agree; a traced gradient may know a dim the input left unknown.
    const fits =
      grad.shape.length === tensor.shape.length &&
      grad.shape.every((d, i) => d === null || tensor.shape[i] === null || d === tensor.shape[i]);
    if (!fits) {
      throw new ShapeError(
        `gradient: the rule for ${where} returned a gradient of shape ${formatShape(grad.shape)} for an input of shape ${formatShape(tensor.shape)}`,
      );
    }
    const existing = grads.get(tensor);
    grads.set(tensor, existing === undefined ? grad : add(existing, grad));
  };
  targets.forEach((t, i) => {
    if (relevant.has(t)) accumulate(t, targetGrads[i]!, "the target");
  });
  for (let i = useful.length - 1; i >= 0; i--) {
    const entry = useful[i]!;
    const dys = entry.outputs.map((o) => grads.get(o) ?? null);
    if (dys.every((d) => d === null)) continue;
    const dxs = entry.backward(
      dys,
      entry.inputs.map((x) => relevant.has(x)),
    );
    if (dxs.length !== entry.inputs.length) {
      throw new KilnError(`gradient: the rule for ${entry.name} returned ${dxs.length} gradients for ${entry.inputs.length} inputs`);
    }
    entry.inputs.forEach((x, j) => {
      const dx = dxs[j];
      if (dx !== null && dx !== undefined && relevant.has(x)) accumulate(x, dx, entry.name);
    });
  }
  return sources.map((s) => grads.get(s) ?? null);
}
