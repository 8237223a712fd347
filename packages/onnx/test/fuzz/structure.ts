/**
 * Reduction and movement steps of the composition fuzzer: reductions over random axes,
 * reshapes, transposes, slices, pads, gathers, joins, tiles, cumulative sums, softmax and
 * matrix products, each with random arguments valid for the current shape.
 *
 * ```ts
 * const step = movementStep(b, h); // e.g. "h = transpose(h, [1, 0, 2])"
 * ```
 */
import { tf } from "../setup.js";
import type { Builder, Step, Value } from "./program.js";

const sizeOf = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);

/** Distinct sorted axes of a rank-`rank` value, at least one (rank >= 1). */
function someAxes(b: Builder, rank: number): number[] {
  return b.r
    .permutation(rank)
    .slice(0, b.r.int(1, rank))
    .sort((x, y) => x - y);
}

/** A reduction over random axes (negative sometimes), keeping dims or not. */
export function reductionStep(b: Builder, h: Value): Step | undefined {
  const rank = h.shape.length;
  if (rank === 0) return undefined;
  const r = b.r;
  const axes = someAxes(b, rank);
  const keepDims = r.chance(0.5);
  const arg = axes.map((a) => (r.chance(0.3) ? a - rank : a));
  const out = keepDims ? h.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : h.shape.filter((_, i) => !axes.includes(i));
  const ops =
    h.dtype === "bool"
      ? (["all", "any"] as const)
      : h.dtype === "int32"
        ? (["sum", "max", "min", "prod", "argMax"] as const)
        : b.special
          ? (["max", "min", "argMax", "argMin"] as const)
          : (["sum", "mean", "max", "min", "prod", "logSumExp", "argMax"] as const);
  const op = r.pick(ops as readonly string[]);
  if (op === "argMax" || op === "argMin") {
    const axis = r.int(0, rank - 1);
    const fn = op === "argMax" ? tf.argMax : tf.argMin;
    // Ties between inexact values may go either way: only exact values are compared.
    if (!h.exact || h.shape[axis] === 0) return undefined;
    return {
      line: `h = ${op}(h, ${axis})`,
      out: { shape: h.shape.filter((_, i) => i !== axis), dtype: "int32", exact: true },
      apply: (x) => fn(x, axis),
    };
  }
  const fns: Record<string, (x: tf.Tensor, axis: number[], keep: boolean) => tf.Tensor> = {
    sum: tf.sum,
    mean: tf.mean,
    max: tf.max,
    min: tf.min,
    prod: tf.prod,
    logSumExp: tf.logSumExp,
    all: tf.all,
    any: tf.any,
  };
  const inexact = h.dtype === "float32" && ["sum", "mean", "prod", "logSumExp"].includes(op);
  return {
    line: `h = ${op}(h, [${arg}], ${keepDims})`,
    out: { shape: out, dtype: op === "mean" ? "float32" : h.dtype, exact: h.exact && !inexact },
    apply: (x) => fns[op]!(x, arg, keepDims),
  };
}

type Movement = (b: Builder, h: Value) => Step | undefined;

const reshape: Movement = (b, h) => {
  const dims = b.r.permutation(h.shape.length).map((i) => h.shape[i]!);
  const target = dims.length > 1 && b.r.chance(0.5) ? [dims[0]! * dims[1]!, ...dims.slice(2)] : dims;
  if (b.r.chance(0.3)) target.splice(b.r.int(0, target.length), 0, 1);
  const shown = sizeOf(target) > 0 && target.length > 0 && b.r.chance(0.3) ? target.map((d, i) => (i === 0 ? -1 : d)) : target;
  return { line: `h = reshape(h, [${shown}])`, out: { ...h, shape: target }, apply: (x) => tf.reshape(x, shown) };
};

const transpose: Movement = (b, h) => {
  const perm = b.r.permutation(h.shape.length);
  return { line: `h = transpose(h, [${perm}])`, out: { ...h, shape: perm.map((p) => h.shape[p]!) }, apply: (x) => tf.transpose(x, perm) };
};

const reverse: Movement = (b, h) => {
  if (h.shape.length === 0) return undefined;
  const axes = someAxes(b, h.shape.length);
  return { line: `h = reverse(h, [${axes}])`, out: h, apply: (x) => tf.reverse(x, axes) };
};

const slice: Movement = (b, h) => {
  if (h.shape.length === 0) return undefined;
  const begin = h.shape.map((d) => b.r.int(0, d));
  const size = h.shape.map((d, i) => (b.r.chance(0.2) ? -1 : b.r.int(0, d - begin[i]!)));
  const out = size.map((s, i) => (s === -1 ? h.shape[i]! - begin[i]! : s));
  return { line: `h = slice(h, [${begin}], [${size}])`, out: { ...h, shape: out }, apply: (x) => tf.slice(x, begin, size) };
};

const stridedSlice: Movement = (b, h) => {
  if (h.shape.length === 0) return undefined;
  const r = b.r;
  const strides = h.shape.map(() => r.pick([1, 1, 2, -1]));
  const begin = h.shape.map((d) => r.int(-d, Math.max(d - 1, 0)));
  const end = h.shape.map((d) => r.int(-d - 1, d));
  const fn = (x: tf.Tensor) => tf.stridedSlice(x, begin, end, strides);
  let out: number[];
  try {
    out = tf.tidy(() => [...(fn(tf.zeros(h.shape as number[])).shape as number[])]);
  } catch {
    return undefined; // arguments Kiln rejects for this shape
  }
  return { line: `h = stridedSlice(h, [${begin}], [${end}], [${strides}])`, out: { ...h, shape: out }, apply: fn };
};

const pad: Movement = (b, h) => {
  const paddings = h.shape.map(() => [b.r.int(0, 2), b.r.int(0, 1)] as [number, number]);
  const value = h.dtype === "bool" ? b.r.chance(0.5) : b.r.pick([0, 1, -2]);
  return {
    line: `h = pad(h, ${JSON.stringify(paddings)}, ${value})`,
    out: { ...h, shape: h.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]) },
    apply: (x) => tf.pad(x, paddings, value),
  };
};

const gather: Movement = (b, h) => {
  const rank = h.shape.length;
  if (rank === 0) return undefined;
  const axis = b.r.int(0, rank - 1);
  const size = h.shape[axis]!;
  if (size === 0) return undefined;
  const ishape = b.r.shape({ maxRank: 2, maxSize: 6 });
  const k = b.input(ishape, "int32", [0, size - 1]);
  const out = [...h.shape.slice(0, axis), ...ishape, ...h.shape.slice(axis + 1)];
  return {
    line: `h = gather(h, x${k}, ${axis})  (x${k}: int32[${ishape}])`,
    out: { ...h, shape: out },
    apply: (x, xs) => tf.gather(x, xs[k]!, axis),
  };
};

const join: Movement = (b, h) => {
  const rank = h.shape.length;
  const stack = rank === 0 || b.r.chance(0.4);
  const axis = b.r.int(0, stack ? rank : rank - 1);
  const other = stack ? [...h.shape] : h.shape.map((d, i) => (i === axis ? b.r.int(0, 3) : d));
  const k = b.input(other, h.dtype);
  const first = b.r.chance(0.5);
  const out = stack ? [...h.shape.slice(0, axis), 2, ...h.shape.slice(axis)] : h.shape.map((d, i) => (i === axis ? d + other[axis]! : d));
  const fn = stack ? tf.stack : tf.concat;
  return {
    line: `h = ${stack ? "stack" : "concat"}([${first ? `x${k}, h` : `h, x${k}`}], ${axis})  (x${k}: [${other}])`,
    out: { ...h, shape: out },
    apply: (x, xs) => fn(first ? [xs[k]!, x] : [x, xs[k]!], axis),
  };
};

const tile: Movement = (b, h) => {
  const reps = h.shape.map(() => b.r.int(0, 2) || (b.r.chance(0.8) ? 1 : 0));
  if (sizeOf(h.shape) * sizeOf(reps) > 400) return undefined;
  return { line: `h = tile(h, [${reps}])`, out: { ...h, shape: h.shape.map((d, i) => d * reps[i]!) }, apply: (x) => tf.tile(x, reps) };
};

const expandSqueeze: Movement = (b, h) => {
  const ones = h.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  if (ones.length > 0 && b.r.chance(0.5)) {
    const axis = b.r.pick(ones);
    return {
      line: `h = squeeze(h, [${axis}])`,
      out: { ...h, shape: h.shape.filter((_, i) => i !== axis) },
      apply: (x) => tf.squeeze(x, [axis]),
    };
  }
  const axis = b.r.int(0, h.shape.length);
  return {
    line: `h = expandDims(h, ${axis})`,
    out: { ...h, shape: [...h.shape.slice(0, axis), 1, ...h.shape.slice(axis)] },
    apply: (x) => tf.expandDims(x, axis),
  };
};

const broadcastTo: Movement = (b, h) => {
  const target = [b.r.int(1, 3), ...h.shape.map((d) => (d === 1 ? b.r.int(1, 3) : d))];
  return { line: `h = broadcastTo(h, [${target}])`, out: { ...h, shape: target }, apply: (x) => tf.broadcastTo(x, target) };
};

const piece: Movement = (b, h) => {
  const rank = h.shape.length;
  if (rank === 0) return undefined;
  const axis = b.r.int(0, rank - 1);
  const size = h.shape[axis]!;
  if (size === 0) return undefined;
  if (b.r.chance(0.5)) {
    const i = b.r.int(0, size - 1);
    return {
      line: `h = unstack(h, ${axis})[${i}]`,
      out: { ...h, shape: h.shape.filter((_, j) => j !== axis) },
      apply: (x) => tf.unstack(x, axis)[i]!,
    };
  }
  const first = b.r.int(0, size);
  const i = b.r.int(0, 1);
  const sizes = [first, size - first];
  return {
    line: `h = split(h, [${sizes}], ${axis})[${i}]`,
    out: { ...h, shape: h.shape.map((d, j) => (j === axis ? sizes[i]! : d)) },
    apply: (x) => tf.split(x, sizes, axis)[i]!,
  };
};

const MOVEMENTS: readonly Movement[] = [
  reshape,
  transpose,
  reverse,
  slice,
  stridedSlice,
  pad,
  gather,
  join,
  tile,
  expandSqueeze,
  broadcastTo,
  piece,
];

/** A shape or movement op valid for `h` (any dtype). */
export function movementStep(b: Builder, h: Value): Step | undefined {
  return b.r.pick(MOVEMENTS)(b, h);
}

/** Cumulative sums, softmax and log-softmax along an axis, and matrix products with a new input (numbers only). */
export function numericStep(b: Builder, h: Value): Step | undefined {
  const rank = h.shape.length;
  if (h.dtype === "bool" || rank === 0) return undefined;
  const r = b.r;
  const axis = r.int(-rank, rank - 1);
  const kind = r.pick(h.dtype === "int32" ? ["cumsum"] : b.special ? [] : ["cumsum", "softmax", "logSoftmax", "matMul", "matMul"]);
  if (kind === undefined) return undefined;
  if (kind === "cumsum") {
    const [exclusive, reverse] = [r.chance(0.5), r.chance(0.5)];
    return {
      line: `h = cumsum(h, ${axis}, ${exclusive}, ${reverse})`,
      out: { ...h, exact: h.exact && h.dtype === "int32" },
      apply: (x) => tf.cumsum(x, axis, exclusive, reverse),
    };
  }
  if (kind === "softmax" || kind === "logSoftmax") {
    const fn = kind === "softmax" ? tf.softmax : tf.logSoftmax;
    return { line: `h = ${kind}(h, ${axis})`, out: { ...h, exact: false }, apply: (x) => fn(x, axis) };
  }
  if (rank !== 2) return undefined;
  const [transposeA, transposeB] = [r.chance(0.3), r.chance(0.3)];
  const inner = h.shape[transposeA ? 0 : 1]!;
  const n = r.int(0, 4) || 1;
  const w = transposeB ? [n, inner] : [inner, n];
  const k = b.input(w, "float32");
  return {
    line: `h = matMul(h, x${k}, ${transposeA}, ${transposeB})  (x${k}: [${w}])`,
    out: { shape: [h.shape[transposeA ? 1 : 0]!, n], dtype: "float32", exact: false },
    apply: (x, xs) => tf.matMul(x, xs[k]!, transposeA, transposeB),
  };
}
