import { normalizeAxis } from "../base/shape.js";
import type { GradArgs } from "../ir/op.js";
import type { Tensor } from "../tensor/tensor.js";
import { add } from "./binary.js";
import { range, zerosLike } from "./creation.js";
import type { GatherV2Attrs, ScatterNdAttrs } from "./gather.js";
import { gather, gatherNd, scatterNd } from "./gather.js";
import { stack } from "./joining.js";
import { carriesGradient, matchStaticShape } from "./movement_grad_utils.js";
import { shape } from "./shape_of.js";
import { expandDims, reshape, transpose } from "./shape_ops.js";

// Gradient rules of the gather/scatter ops (TF's array_grad.py). A gather reads params
// elements, possibly the same one many times, so its gradient scatters dy back into zeros
// of the params shape with duplicates adding up: exactly what ScatterNd computes. A scatter's
// updates gradient gathers dy at the same index tuples. Index tensors never get gradients.

type Grads = (Tensor | null)[];

/**
 * The params shape a scatter of the gradient must produce, one entry per dim: the number
 * where it is known, else that dim of `tf.shape(x)`, read when the graph runs.
 */
function paramsShape(x: Tensor): (number | Tensor)[] {
  const dynamic = x.shape.includes(null) ? shape(x) : undefined;
  return x.shape.map((d, i) => d ?? gather(dynamic!, i));
}

/** Transposes unless `perm` is the identity (saves a copy in the common layouts). */
function permute(t: Tensor, perm: readonly number[]): Tensor {
  return perm.every((p, i) => p === i) ? t : transpose(t, perm);
}

/**
 * GatherV2: scatter-add dy into zeros shaped like x. dy is laid out as [batch, outer, index,
 * inner] dims (outer = x's dims between the batch dims and `axis`); it is transposed to
 * [batch, index, outer, inner] so that each index tuple (batch coordinates, index) addresses
 * a [outer, inner] slice of a [batch, axis, outer, inner] tensor, which is scattered and
 * transposed back to x's layout.
 */
export function gatherGrad(args: GradArgs<GatherV2Attrs, Tensor>): Grads {
  const [x, indices] = args.inputs as [Tensor, Tensor];
  const dy = args.dys[0];
  if (!carriesGradient(x) || dy === null || dy === undefined) return [null, null];
  const shape = paramsShape(x);
  const axis = normalizeAxis(args.attrs.axis, x.rank, "gather");
  const batch = args.attrs.batchDims < 0 ? args.attrs.batchDims + indices.rank : args.attrs.batchDims;
  const outer = axis - batch;
  const indexRank = indices.rank - batch;
  const inner = x.rank - axis - 1;
  const seq = (start: number, count: number) => Array.from({ length: count }, (_, i) => start + i);
  const updates = permute(dy, [
    ...seq(0, batch),
    ...seq(batch + outer, indexRank),
    ...seq(batch, outer),
    ...seq(batch + outer + indexRank, inner),
  ]);
  // Each index tuple: the batch coordinates (a range along each batch dim, broadcast over
  // the indices) followed by the index itself.
  const coordinates =
    batch === 0
      ? expandDims(indices, -1)
      : stack(
          [
            ...seq(0, batch).map((d) =>
              add(
                reshape(
                  range(0, shape[d]!, 1, "int32"),
                  indices.shape.map((_, i) => (i === d ? -1 : 1)),
                ),
                zerosLike(indices),
              ),
            ),
            indices,
          ],
          -1,
        );
  const target = [...shape.slice(0, batch), shape[axis]!, ...shape.slice(batch, axis), ...shape.slice(axis + 1)];
  const scattered = scatterNd(coordinates, updates, target);
  const dx = permute(scattered, [...seq(0, batch), ...seq(batch + 1, outer), batch, ...seq(axis + 1, inner)]);
  return [dx, null];
}

/** GatherNd: scatter-add dy into zeros shaped like x at the same index tuples. */
export function gatherNdGrad(args: GradArgs<{}, Tensor>): Grads {
  const [x, indices] = args.inputs as [Tensor, Tensor];
  const dy = args.dys[0];
  if (!carriesGradient(x) || dy === null || dy === undefined) return [null, null];
  return [scatterNd(indices, dy, paramsShape(x)), null];
}

/** ScatterNd: each update was added at its index tuple, so it gets dy gathered there. */
export function scatterNdGrad(args: GradArgs<ScatterNdAttrs, Tensor>): Grads {
  const [indices, updates] = args.inputs as [Tensor, Tensor];
  const dy = args.dys[0];
  if (!carriesGradient(updates) || dy === null || dy === undefined) return [null, null];
  return [null, matchStaticShape(gatherNd(dy, indices), updates)];
}
