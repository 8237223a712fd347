import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";
import { centralDifferences, checkGradient } from "./check.js";

/**
 * The gradient fuzzer: random compositions of differentiable ops (2-4 deep, random shapes,
 * broadcasting), each checked against central finite differences with `checkGradient`
 * (eagerly, and with the tape inside a tf.function: both must agree), and with the tape
 * around a call of the traced function (must equal the eager tape's); and random `tf.cond`
 * branches and `tf.whileLoop` bodies that read `tf.Variable`s, whose gradients for the
 * inputs and for the variables are checked against finite differences eagerly, with the
 * tape around a tf.function and with the tape inside one.
 *
 * Inputs are kept away from points where an op is not differentiable: each candidate
 * program first runs once with probes that measure how far every kink input is from its
 * kink (relu and abs at 0, relu6 at 0 and 6, clip bounds, maximum/minimum ties, the top two
 * of every max/min reduction and max-pool window, where's condition), and how large the
 * intermediates get; a program that comes closer than MARGIN or grows past BOUND is redrawn.
 *
 * Environment (shared with the op fuzzer in @kiln/conformance):
 * - `KILN_FUZZ_ITERATIONS`: the run's size (default 1500, as the op fuzzer's): ITERATIONS / 20
 *   compositions and ITERATIONS / 100 cond and while cases each (a gradient case costs about
 *   as much as 20 op cases: finite differences run the program twice per input element).
 * - `KILN_FUZZ_SEED`: the base seed (default 1).
 * - `KILN_FUZZ_CASE`: run only this case index (of each test; focus one with -t).
 */

useCpu();

const env: Record<string, string | undefined> = process.env;

function envInt(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, received ${JSON.stringify(raw)}`);
  return value;
}

const ITERATIONS = envInt("KILN_FUZZ_ITERATIONS", 1500);
const SEED = envInt("KILN_FUZZ_SEED", 1);
const ONLY_CASE = env.KILN_FUZZ_CASE === undefined || env.KILN_FUZZ_CASE === "" ? undefined : envInt("KILN_FUZZ_CASE", 0);
const COMPOSITIONS = Math.max(1, Math.round(ITERATIONS / 20));
const CONTROL_FLOW = Math.max(1, Math.round(ITERATIONS / 100));

/** How far (in value) every kink input must stay from its kink. */
const MARGIN = 0.1;
/** The largest magnitude an intermediate may reach (keeps finite differences accurate). */
const BOUND = 12;
/** Finite differences: step and tolerances (float32 central differences). */
const FD = { eps: 1e-2, atol: 2e-2, rtol: 2e-2 };

// ---------------------------------------------------------------------------------------
// Random choices

/** mulberry32, seeded. */
class Rng {
  #a: number;

  constructor(seed: number) {
    this.#a = seed >>> 0;
  }

  random(): number {
    this.#a = (this.#a + 0x6d2b79f5) >>> 0;
    let t = this.#a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  uniform(lo: number, hi: number): number {
    return Math.fround(lo + (hi - lo) * this.random());
  }

  permutation(n: number): number[] {
    const out = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

/** A per-case seed from the base seed, the test's name and the case index (FNV-1a, mixed). */
function caseSeed(name: string, index: number, attempt: number): number {
  let h = 0x811c9dc5 ^ SEED;
  for (const ch of `${name}#${index}#${attempt}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const fmt = (values: readonly number[]) => `[${values.map((v) => (Object.is(v, -0) ? "-0" : String(v))).join(", ")}]`;

// ---------------------------------------------------------------------------------------
// Programs: a list of steps on a current value `h`, with inputs created as steps need them

/** Where a step's second operand comes from: a program input, or a variable (read inside the step). */
type Operand = { readonly kind: "input"; readonly index: number } | { readonly kind: "var"; readonly index: number };

interface Env {
  readonly xs: readonly tf.Tensor[];
  readonly vars: readonly tf.Variable[];
}

/** Measures distances to kinks while a candidate program runs once (eagerly). */
interface Probe {
  /** Records `margin(values, shape)`; the program is redrawn when it is below MARGIN. */
  check(t: tf.Tensor, margin: (values: number[], shape: number[]) => number): void;
}

type Apply = (h: tf.Tensor, env: Env, probe: Probe | undefined) => tf.Tensor;

interface Step {
  readonly line: string;
  readonly shape: number[];
  readonly apply: Apply;
}

interface Declared {
  readonly name: string;
  readonly shape: number[];
  readonly values: number[];
}

/** Builds one program: inputs and variables are declared as steps need them. */
class Builder {
  readonly inputs: Declared[] = [];
  readonly vars: Declared[] = [];
  readonly lines: string[] = [];
  readonly steps: Apply[] = [];

  constructor(
    readonly r: Rng,
    /** Control-flow bodies must keep their shape (loop variables, matching branches). */
    readonly shapePreserving = false,
    /** Where binary partners come from: new inputs (compositions) or the given operands. */
    readonly partners?: () => { operand: Operand; shape: number[] },
  ) {}

  input(shape: readonly number[], lo = -1.5, hi = 1.5): Operand {
    const values = Array.from({ length: sizeOf(shape) }, () => this.r.uniform(lo, hi));
    this.inputs.push({ name: `x${this.inputs.length}`, shape: [...shape], values });
    return { kind: "input", index: this.inputs.length - 1 };
  }

  variable(shape: readonly number[], lo = -1.5, hi = 1.5): Operand {
    const values = Array.from({ length: sizeOf(shape) }, () => this.r.uniform(lo, hi));
    this.vars.push({ name: `v${this.vars.length}`, shape: [...shape], values });
    return { kind: "var", index: this.vars.length - 1 };
  }

  nameOf(o: Operand): string {
    return o.kind === "input" ? this.inputs[o.index]!.name : `${this.vars[o.index]!.name}.read()`;
  }

  shapeOf(o: Operand): number[] {
    return (o.kind === "input" ? this.inputs : this.vars)[o.index]!.shape;
  }

  add(step: Step): number[] {
    this.lines.push(step.line);
    this.steps.push(step.apply);
    return step.shape;
  }
}

const read = (o: Operand, env: Env): tf.Tensor => (o.kind === "input" ? env.xs[o.index]! : env.vars[o.index]!.read());

/** Runs the steps from `h`; with a probe, also checks that every intermediate stays bounded. */
function runSteps(steps: readonly Apply[], h: tf.Tensor, env: Env, probe?: Probe): tf.Tensor {
  let out = h;
  for (const step of steps) {
    out = step(out, env, probe);
    probe?.check(out, (values) => (values.every((v) => Number.isFinite(v) && Math.abs(v) <= BOUND) ? Number.POSITIVE_INFINITY : -1));
  }
  return out;
}

/** Margin of every element from the given kink points. */
const awayFrom =
  (...points: number[]) =>
  (values: number[]) =>
    Math.min(Number.POSITIVE_INFINITY, ...values.flatMap((v) => points.map((p) => Math.abs(v - p))));

/** Row-major strides. */
function stridesOf(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) out[d] = out[d + 1]! * shape[d + 1]!;
  return out;
}

/** The smallest gap between the largest and second largest value of each group (elements that agree off `axes`). */
function groupGap(values: number[], shape: number[], axes: readonly number[], sign: 1 | -1): number {
  const strides = stridesOf(shape);
  const groups = new Map<number, number[]>();
  values.forEach((v, i) => {
    let key = 0;
    for (let d = 0; d < shape.length; d++) if (!axes.includes(d)) key += (Math.floor(i / strides[d]!) % shape[d]!) * strides[d]!;
    const g = groups.get(key) ?? [];
    g.push(sign * v);
    groups.set(key, g);
  });
  let gap = Number.POSITIVE_INFINITY;
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    g.sort((a, b) => b - a);
    gap = Math.min(gap, g[0]! - g[1]!);
  }
  return gap;
}

/** A shape that broadcasts into `shape` (a suffix, some dims 1). */
function partnerShape(r: Rng, shape: readonly number[]): number[] {
  const drop = r.chance(0.4) ? r.int(0, shape.length) : 0;
  return shape.slice(drop).map((d) => (r.chance(0.3) ? 1 : d));
}

/** A random axis list (distinct, sorted) of a rank-`rank` value; at least one axis. */
function someAxes(r: Rng, rank: number): number[] {
  return r
    .permutation(rank)
    .slice(0, r.int(1, rank))
    .sort((a, b) => a - b);
}

type Unary = readonly [string, (h: tf.Tensor) => tf.Tensor, number[]?];

/** Differentiable unary steps; domain-limited ops get a safe argument (`log(h^2 + 0.5)`); kinks listed where there are any. */
const UNARY: readonly Unary[] = [
  ["neg(h)", (h) => tf.neg(h)],
  ["square(h)", (h) => tf.square(h)],
  ["tanh(h)", (h) => tf.tanh(h)],
  ["sigmoid(h)", (h) => tf.sigmoid(h)],
  ["sin(h)", (h) => tf.sin(h)],
  ["cos(h)", (h) => tf.cos(h)],
  ["exp(h)", (h) => tf.exp(h)],
  ["expm1(h)", (h) => tf.expm1(h)],
  ["softplus(h)", (h) => tf.softplus(h)],
  ["erf(h)", (h) => tf.erf(h)],
  ["gelu(h)", (h) => tf.gelu(h)],
  ["gelu(h, approximate=true)", (h) => tf.gelu(h, true)],
  ["elu(h)", (h) => tf.elu(h)],
  ["selu(h)", (h) => tf.selu(h), [0]],
  ["relu(h)", (h) => tf.relu(h), [0]],
  ["abs(h)", (h) => tf.abs(h), [0]],
  ["relu6(4 * h)", (h) => tf.relu6(tf.mul(h, 4)), [0, 1.5]],
  ["clipByValue(h, -0.8, 0.9)", (h) => tf.clipByValue(h, -0.8, 0.9), [-0.8, 0.9]],
  ["log(h^2 + 0.5)", (h) => tf.log(tf.add(tf.square(h), 0.5))],
  ["log1p(h^2)", (h) => tf.log1p(tf.square(h))],
  ["sqrt(h^2 + 0.25)", (h) => tf.sqrt(tf.add(tf.square(h), 0.25))],
  ["rsqrt(h^2 + 1)", (h) => tf.rsqrt(tf.add(tf.square(h), 1))],
  ["reciprocal(h^2 + 0.5)", (h) => tf.reciprocal(tf.add(tf.square(h), 0.5))],
];

function unaryStep(b: Builder, shape: number[]): Step {
  const [name, fn, kinks] = b.r.pick(UNARY);
  return {
    line: `h = ${name}`,
    shape,
    apply: (h, _env, probe) => {
      if (kinks !== undefined) probe?.check(h, awayFrom(...kinks));
      return fn(h);
    },
  };
}

type Binary = readonly [string, (h: tf.Tensor, w: tf.Tensor) => tf.Tensor, ((h: tf.Tensor, w: tf.Tensor) => [tf.Tensor, number[]])?];

/** Binary steps with broadcasting; the second kink entry says which value must stay off which points. */
const BINARY: readonly Binary[] = [
  ["add(h, w)", (h, w) => tf.add(h, w)],
  ["sub(h, w)", (h, w) => tf.sub(h, w)],
  ["mul(h, w)", (h, w) => tf.mul(h, w)],
  ["squaredDifference(h, w)", (h, w) => tf.squaredDifference(h, w)],
  ["div(h, w^2 + 0.5)", (h, w) => tf.div(h, tf.add(tf.square(w), 0.5))],
  ["pow(sigmoid(h) + 0.5, w)", (h, w) => tf.pow(tf.add(tf.sigmoid(h), 0.5), w)],
  ["atan2(h, w^2 + 0.3)", (h, w) => tf.atan2(h, tf.add(tf.square(w), 0.3))],
  ["maximum(h, w)", (h, w) => tf.maximum(h, w), (h, w) => [tf.sub(h, w), [0]]],
  ["minimum(h, w)", (h, w) => tf.minimum(h, w), (h, w) => [tf.sub(h, w), [0]]],
  ["where(w > 0, h, h * w)", (h, w) => tf.where(tf.greater(w, 0), h, tf.mul(h, w)), (_h, w) => [w, [0]]],
];

function binaryStep(b: Builder, shape: number[]): Step {
  const [name, fn, kink] = b.r.pick(BINARY);
  let operand: Operand;
  let out = shape;
  if (b.partners !== undefined) {
    operand = b.partners().operand;
  } else if (!b.shapePreserving && sizeOf(shape) <= 12 && b.r.chance(0.2)) {
    // Growing broadcast: the partner adds a leading dim or expands a 1.
    const grown = [b.r.int(2, 3), ...shape.map((d) => (d === 1 && b.r.chance(0.5) ? b.r.int(2, 3) : d))];
    operand = b.input(grown.slice(b.r.chance(0.5) ? 0 : 1).map((d) => (b.r.chance(0.2) ? 1 : d)));
    out = broadcastShape(shape, b.shapeOf(operand));
  } else {
    operand = b.input(partnerShape(b.r, shape));
  }
  return {
    line: `h = ${name.replace(/\bw\b/g, b.nameOf(operand))}  (${b.nameOf(operand)}: [${b.shapeOf(operand)}])`,
    shape: out,
    apply: (h, env, probe) => {
      const w = read(operand, env);
      if (kink !== undefined && probe !== undefined) {
        const [t, points] = kink(h, w);
        probe.check(t, awayFrom(...points));
      }
      return fn(h, w);
    },
  };
}

function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    return x === 1 ? y : x;
  });
}

const REDUCTIONS = { sum: tf.sum, mean: tf.mean, max: tf.max, min: tf.min, logSumExp: tf.logSumExp, prod: tf.prod };

function reductionStep(b: Builder, shape: number[]): Step | undefined {
  if (shape.length === 0) return undefined;
  const r = b.r;
  const axes = someAxes(r, shape.length);
  const keepDims = r.chance(0.5);
  const reduced = sizeOf(axes.map((a) => shape[a]!));
  const ops: (keyof typeof REDUCTIONS)[] = ["sum", "mean", "max", "min", "logSumExp", ...(reduced <= 4 ? (["prod"] as const) : [])];
  const op = r.pick(ops);
  const out = keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
  const negative = r.chance(0.3);
  const axisArg = axes.map((a) => (negative ? a - shape.length : a));
  return {
    line: `h = ${op}(h, [${axisArg}], keepDims=${keepDims})`,
    shape: out,
    apply: (h, _env, probe) => {
      if (op === "max" || op === "min") probe?.check(h, (values, s) => groupGap(values, s, axes, op === "max" ? 1 : -1));
      return REDUCTIONS[op](h, axisArg, keepDims);
    },
  };
}

/** Shape and movement steps (their gradients scatter, pad, slice or permute). */
function movementStep(b: Builder, shape: number[]): Step | undefined {
  const r = b.r;
  const rank = shape.length;
  const kinds = [
    "reshape",
    "reverse",
    ...(rank >= 1 ? ["slice", "pad", "stridedSlice", "gather", "concat", "cumsum", "softmax", "logSoftmax", "split", "tile"] : []),
    ...(rank >= 2 ? ["transpose", "unstack"] : []),
    "expandDims",
    "stack",
    "broadcastTo",
  ];
  const kind = r.pick(kinds);
  switch (kind) {
    case "reshape": {
      const dims = r.permutation(rank).map((i) => shape[i]!);
      const target = dims.length > 1 && r.chance(0.5) ? [dims[0]! * dims[1]!, ...dims.slice(2)] : dims;
      if (r.chance(0.3)) target.splice(r.int(0, target.length), 0, 1);
      return { line: `h = reshape(h, [${target}])`, shape: target, apply: (h) => tf.reshape(h, target) };
    }
    case "reverse": {
      const axes = rank === 0 ? [] : someAxes(r, rank);
      return { line: `h = reverse(h, [${axes}])`, shape, apply: (h) => tf.reverse(h, axes) };
    }
    case "transpose": {
      const perm = r.permutation(rank);
      return { line: `h = transpose(h, [${perm}])`, shape: perm.map((p) => shape[p]!), apply: (h) => tf.transpose(h, perm) };
    }
    case "slice": {
      const begin = shape.map((d) => r.int(0, Math.max(0, d - 1)));
      const size = shape.map((d, i) => r.int(1, d - begin[i]!));
      return { line: `h = slice(h, [${begin}], [${size}])`, shape: size, apply: (h) => tf.slice(h, begin, size) };
    }
    case "pad": {
      const paddings = shape.map(() => [r.int(0, 1), r.int(0, 1)] as [number, number]);
      const value = r.pick([0, 0.5]);
      return {
        line: `h = pad(h, ${JSON.stringify(paddings)}, ${value})`,
        shape: shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]),
        apply: (h) => tf.pad(h, paddings, value),
      };
    }
    case "stridedSlice": {
      const strides = shape.map(() => r.pick([1, 2, -1, -2]));
      const begin = shape.map((d, i) => (strides[i]! > 0 ? r.int(0, d - 1) : r.int(0, d - 1) - d));
      const end = shape.map((d, i) => (strides[i]! > 0 ? d : -d - 1));
      const out = shape.map((d, i) => {
        const s = strides[i]!;
        const from = begin[i]! < 0 ? begin[i]! + d : begin[i]!;
        return s > 0 ? Math.ceil((d - from) / s) : Math.ceil((from + 1) / -s);
      });
      return {
        line: `h = stridedSlice(h, [${begin}], [${end}], [${strides}])`,
        shape: out,
        apply: (h) => tf.stridedSlice(h, begin, end, strides),
      };
    }
    case "gather": {
      const axis = r.int(0, rank - 1);
      const indices = Array.from({ length: r.int(1, 4) }, () => r.int(0, shape[axis]! - 1));
      const out = [...shape.slice(0, axis), indices.length, ...shape.slice(axis + 1)];
      return {
        line: `h = gather(h, [${indices}], ${axis})`,
        shape: out,
        apply: (h) => tf.gather(h, tf.tensor(indices, [indices.length], "int32"), axis),
      };
    }
    case "concat": {
      if (b.shapePreserving) return undefined;
      const axis = r.int(0, rank - 1);
      const other = [...shape];
      other[axis] = r.int(1, 2);
      const w = b.input(other);
      const out = [...shape];
      out[axis] = shape[axis]! + other[axis]!;
      return {
        line: `h = concat([h, ${b.nameOf(w)} [${other}]], ${axis})`,
        shape: out,
        apply: (h, env) => tf.concat([h, read(w, env)], axis),
      };
    }
    case "stack": {
      if (b.shapePreserving) return undefined;
      const axis = r.int(0, rank);
      const w = b.input(shape);
      const out = [...shape.slice(0, axis), 2, ...shape.slice(axis)];
      return { line: `h = stack([h, ${b.nameOf(w)}], ${axis})`, shape: out, apply: (h, env) => tf.stack([h, read(w, env)], axis) };
    }
    case "cumsum": {
      const axis = r.int(0, rank - 1);
      const [exclusive, reverse] = [r.chance(0.5), r.chance(0.5)];
      return { line: `h = cumsum(h, ${axis}, ${exclusive}, ${reverse})`, shape, apply: (h) => tf.cumsum(h, axis, exclusive, reverse) };
    }
    case "softmax":
    case "logSoftmax":
      return { line: `h = ${kind}(h)`, shape, apply: (h) => (kind === "softmax" ? tf.softmax(h) : tf.logSoftmax(h)) };
    case "split": {
      const axis = r.int(0, rank - 1);
      if (shape[axis]! < 2) return undefined;
      const first = r.int(1, shape[axis]! - 1);
      const part = r.int(0, 1);
      const out = [...shape];
      out[axis] = part === 0 ? first : shape[axis]! - first;
      return { line: `h = split(h, [${first}, -1], ${axis})[${part}]`, shape: out, apply: (h) => tf.split(h, [first, -1], axis)[part]! };
    }
    case "unstack": {
      const axis = r.int(0, rank - 1);
      const part = r.int(0, shape[axis]! - 1);
      return {
        line: `h = unstack(h, ${axis})[${part}]`,
        shape: shape.filter((_, i) => i !== axis),
        apply: (h) => tf.unstack(h, axis)[part]!,
      };
    }
    case "tile": {
      if (sizeOf(shape) > 12) return undefined;
      const reps = shape.map(() => r.int(1, 2));
      return { line: `h = tile(h, [${reps}])`, shape: shape.map((d, i) => d * reps[i]!), apply: (h) => tf.tile(h, reps) };
    }
    case "expandDims": {
      const axis = r.int(0, rank);
      return {
        line: `h = expandDims(h, ${axis})`,
        shape: [...shape.slice(0, axis), 1, ...shape.slice(axis)],
        apply: (h) => tf.expandDims(h, axis),
      };
    }
    case "broadcastTo": {
      if (sizeOf(shape) > 12) return undefined;
      const target = [r.int(1, 3), ...shape.map((d) => (d === 1 ? r.int(1, 3) : d))];
      return { line: `h = broadcastTo(h, [${target}])`, shape: target, apply: (h) => tf.broadcastTo(h, target) };
    }
  }
  return undefined;
}

/** matMul (with transposes and batch dims) against a new weight input. */
function matMulStep(b: Builder, shape: number[]): Step | undefined {
  if (shape.length < 2 || b.shapePreserving) return undefined;
  const r = b.r;
  const tA = r.chance(0.3);
  const tB = r.chance(0.5);
  const rows = tA ? shape.at(-1)! : shape.at(-2)!;
  const inner = tA ? shape.at(-2)! : shape.at(-1)!;
  const n = r.int(1, 3);
  const batch = r.chance(0.3) ? shape.slice(0, -2) : [];
  const w = b.input([...batch, ...(tB ? [n, inner] : [inner, n])], -1, 1);
  return {
    line: `h = matMul(h, ${b.nameOf(w)} [${b.shapeOf(w)}], ${tA}, ${tB})`,
    shape: [...shape.slice(0, -2), rows, n],
    apply: (h, env) => tf.matMul(h, read(w, env), tA, tB),
  };
}

/** The windows' top-two gap of a max pool (NHWC, SAME or VALID). */
function poolGap(values: number[], shape: number[], f: number, s: number, pad: "same" | "valid"): number {
  const [n, h, w, c] = shape as [number, number, number, number];
  const oh = pad === "same" ? Math.ceil(h / s) : Math.floor((h - f) / s) + 1;
  const ow = pad === "same" ? Math.ceil(w / s) : Math.floor((w - f) / s) + 1;
  const pt = pad === "same" ? Math.floor(Math.max((oh - 1) * s + f - h, 0) / 2) : 0;
  const pl = pad === "same" ? Math.floor(Math.max((ow - 1) * s + f - w, 0) / 2) : 0;
  let gap = Number.POSITIVE_INFINITY;
  for (let bi = 0; bi < n; bi++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ch = 0; ch < c; ch++) {
          const window: number[] = [];
          for (let dy = 0; dy < f; dy++) {
            for (let dx = 0; dx < f; dx++) {
              const y = oy * s - pt + dy;
              const x = ox * s - pl + dx;
              if (y >= 0 && y < h && x >= 0 && x < w) window.push(values[((bi * h + y) * w + x) * c + ch]!);
            }
          }
          window.sort((p, q) => q - p);
          if (window.length > 1) gap = Math.min(gap, window[0]! - window[1]!);
        }
      }
    }
  }
  return gap;
}

/** conv2d / depthwiseConv2d against a new filter input, or a pool, on an NHWC value. */
function imageStep(b: Builder, shape: number[]): Step | undefined {
  if (shape.length !== 4 || b.shapePreserving) return undefined;
  const r = b.r;
  const [n, h, w, c] = shape as [number, number, number, number];
  const f = r.int(1, Math.min(3, h, w));
  const strides = r.int(1, 2);
  const dilation = strides === 1 && f > 1 && 2 * f - 1 <= Math.min(h, w) && r.chance(0.3) ? 2 : 1;
  const pad = r.pick(["same", "valid"] as const);
  const eff = (f - 1) * dilation + 1;
  const outDim = (d: number) => (pad === "same" ? Math.ceil(d / strides) : Math.floor((d - eff) / strides) + 1);
  const kind = r.pick(["conv2d", "depthwiseConv2d", "maxPool", "avgPool"] as const);
  if (kind === "conv2d" || kind === "depthwiseConv2d") {
    const last = r.int(1, 2);
    const filter = b.input([f, f, c, last], -1, 1);
    const outC = kind === "conv2d" ? last : c * last;
    const op = kind === "conv2d" ? tf.conv2d : tf.depthwiseConv2d;
    return {
      line: `h = ${kind}(h, ${b.nameOf(filter)} [${b.shapeOf(filter)}], ${strides}, "${pad}", dilations=${dilation})`,
      shape: [n, outDim(h), outDim(w), outC],
      apply: (x, env) => op(x, read(filter, env), strides, pad, "NHWC", dilation),
    };
  }
  const poolOut = (d: number) => (pad === "same" ? Math.ceil(d / strides) : Math.floor((d - f) / strides) + 1);
  return {
    line: `h = ${kind}(h, ${f}, ${strides}, "${pad}")`,
    shape: [n, poolOut(h), poolOut(w), c],
    apply: (x, _env, probe) => {
      if (kind === "maxPool") probe?.check(x, (values, s) => poolGap(values, s, f, strides, pad));
      return kind === "maxPool" ? tf.maxPool(x, f, strides, pad) : tf.avgPool(x, f, strides, pad);
    },
  };
}

/** One random step applicable to `shape` (keeping sizes small for finite differences). */
function randomStep(b: Builder, shape: number[]): Step {
  for (;;) {
    const kind = b.r.pick(["unary", "unary", "binary", "binary", "reduction", "movement", "movement", "matMul", "image", "image"] as const);
    const step =
      kind === "unary"
        ? unaryStep(b, shape)
        : kind === "binary"
          ? binaryStep(b, shape)
          : kind === "reduction"
            ? b.shapePreserving
              ? undefined
              : reductionStep(b, shape)
            : kind === "movement"
              ? b.shapePreserving
                ? undefined
                : movementStep(b, shape)
              : kind === "matMul"
                ? matMulStep(b, shape)
                : imageStep(b, shape);
    if (step !== undefined && sizeOf(step.shape) <= 48 && sizeOf(step.shape) > 0 && step.shape.length <= 5) return step;
  }
}

interface Program {
  readonly inputs: Declared[];
  readonly vars: Declared[];
  readonly lines: string[];
  readonly steps: Apply[];
}

/** A random composition: a first input (a free shape, a matrix or an NHWC image) and 2-4 steps. */
function randomComposition(r: Rng): Program {
  const b = new Builder(r);
  const family = r.pick(["free", "free", "matrix", "image"] as const);
  const first =
    family === "matrix"
      ? [...(r.chance(0.3) ? [2] : []), r.int(1, 4), r.int(1, 4)]
      : family === "image"
        ? [r.int(1, 2), r.int(2, 4), r.int(2, 4), r.int(1, 2)]
        : Array.from({ length: r.int(0, 3) }, () => r.int(1, 4));
  b.input(first);
  b.lines.push(`h = x0`);
  let shape = first;
  const depth = r.int(2, 4);
  for (let i = 0; i < depth; i++) shape = b.add(randomStep(b, shape));
  return { inputs: b.inputs, vars: b.vars, lines: b.lines, steps: b.steps };
}

/** Runs `program` once eagerly with probes: the smallest margin to a kink (Infinity when none), or -1 when a value is too large. */
function marginOf(program: Program, run: (probe: Probe) => void): number {
  let margin = Number.POSITIVE_INFINITY;
  const probe: Probe = {
    check(t, m) {
      margin = Math.min(margin, m(Array.from(t.dataSync()), t.shape as number[]));
    },
  };
  try {
    tf.tidy(() => run(probe));
  } catch (error) {
    throw new Error(`gradient fuzzer: the forward pass threw\n${describeProgram(program)}\n${String(error)}`);
  }
  return margin;
}

function describeProgram(program: Program): string {
  return [
    ...program.inputs.map((x) => `  ${x.name}: float32 [${x.shape}] = ${fmt(x.values)}`),
    ...program.vars.map((v) => `  ${v.name}: tf.Variable float32 [${v.shape}] = ${fmt(v.values)}`),
    ...program.lines.map((l) => `  ${l}`),
  ].join("\n");
}

/** Draws programs until one stays away from kinks and bounded (deterministic in the case seed). */
function drawValid<P extends Program>(name: string, index: number, draw: (r: Rng) => P, margin: (p: P) => number): P {
  for (let attempt = 0; attempt < 200; attempt++) {
    const program = draw(new Rng(caseSeed(name, index, attempt)));
    if (margin(program) >= MARGIN) return program;
  }
  throw new Error(`gradient fuzzer: no valid ${name} program for case ${index} in 200 draws`);
}

function reproduce(test: string, index: number): string {
  return `reproduce: cd packages/core && KILN_FUZZ_SEED=${SEED} KILN_FUZZ_CASE=${index} npx vitest run test/gradients/fuzz.test.ts -t "${test}"`;
}

const indices = (count: number) => (ONLY_CASE === undefined ? Array.from({ length: count }, (_, i) => i) : [ONLY_CASE]);

// ---------------------------------------------------------------------------------------
// Control flow reading variables: finite differences for inputs and variables

/**
 * The gradient of `loss` at `base` by central differences with one Richardson step:
 * (4 D(eps/2) - D(eps)) / 3, whose error is O(eps^4) instead of O(eps^2).
 */
function numericGradient(loss: (values: number[]) => number, base: readonly number[]): number[] {
  const coarse = centralDifferences(base, loss, FD.eps);
  const fine = centralDifferences(base, loss, FD.eps / 2);
  return fine.map((d, j) => (4 * d - coarse[j]!) / 3);
}

/** sum(y * weights) with fixed weights, so every output element matters. */
function weighted(y: tf.Tensor, weights: readonly number[]): tf.Tensor {
  return tf.sum(tf.mul(y, tf.tensor([...weights], y.shape as number[])));
}

interface ControlFlowCase extends Program {
  /** The loss, from the input tensor (the function's body; reads the variables). */
  readonly body: (x: tf.Tensor, vars: tf.Variable[]) => tf.Tensor;
  readonly weights: number[];
  readonly extra: string[];
}

/** Gradients of `loss` for [x, ...vars] as plain arrays (null → zeros). */
function gradsOf(grads: (tf.Tensor | null)[], shapes: number[][]): number[][] {
  return grads.map((g, i) => (g === null ? new Array<number>(sizeOf(shapes[i]!)).fill(0) : Array.from(g.dataSync())));
}

function compare(got: number[][], want: number[][], atol: number, rtol: number, what: string, names: string[]): string | undefined {
  for (let k = 0; k < want.length; k++) {
    for (let j = 0; j < want[k]!.length; j++) {
      const g = got[k]![j]!;
      const w = want[k]![j]!;
      if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) return `${what}: d/d${names[k]}[${j}] = ${g}, expected ${w}`;
    }
  }
  return undefined;
}

/**
 * Checks a control-flow case: the gradients for x and every variable computed (a) eagerly,
 * (b) with the tape around a tf.function and (c) with the tape inside one, against central
 * finite differences (x perturbed, then each variable assigned perturbed values) and against each other.
 */
function checkControlFlow(test: string, index: number, c: ControlFlowCase): void {
  const vars = tf.tidy(() => c.vars.map((v) => new tf.Variable(tf.tensor(v.values, v.shape))));
  const names = ["x0", ...c.vars.map((v) => v.name)];
  const shapes = [c.inputs[0]!.shape, ...c.vars.map((v) => v.shape)];
  const problem = (what: string) =>
    `gradient fuzzer (${test}): ${what}\n  ${reproduce(test, index)}\n${describeProgram(c)}\n${c.extra.map((l) => `  ${l}`).join("\n")}`;
  const f = tf.function((x: tf.Tensor) => c.body(x, vars), { autograph: false });
  const inside = tf.function(
    (x: tf.Tensor) => {
      const tape = new tf.GradientTape();
      const y = tape.record(() => {
        tape.watch(x);
        return weighted(c.body(x, vars), c.weights);
      });
      const sources: (tf.Tensor | tf.Variable)[] = [x, ...vars];
      return tape.gradient(y, sources).map((g, k) => g ?? tf.zerosLike(k === 0 ? x : vars[k - 1]!.read()));
    },
    { autograph: false },
  );
  try {
    tf.tidy(() => {
      const x = tf.tensor(c.inputs[0]!.values, c.inputs[0]!.shape);
      const tapeGrads = (run: (x: tf.Tensor) => tf.Tensor) => {
        const tape = new tf.GradientTape();
        const y = tape.record(() => {
          tape.watch(x);
          return weighted(run(x), c.weights);
        });
        return gradsOf(tape.gradient(y, [x, ...vars]), shapes);
      };
      const eager = tapeGrads((t) => c.body(t, vars));
      const around = tapeGrads((t) => f(t) as tf.Tensor);
      const within = gradsOf(inside(x) as tf.Tensor[], shapes);
      // Finite differences through the traced function (it reads the variables on every call).
      // Loops compound curvature (three squarings make a degree-8 polynomial), so plain central
      // differences are extrapolated (Richardson).
      const loss = () => weighted(f(x) as tf.Tensor, c.weights).dataSync()[0]!;
      const lossAt = (values: number[]) => weighted(f(tf.tensor(values, c.inputs[0]!.shape)) as tf.Tensor, c.weights).dataSync()[0]!;
      const numeric: number[][] = [numericGradient(lossAt, c.inputs[0]!.values)];
      vars.forEach((v, i) => {
        const { shape } = c.vars[i]!;
        numeric.push(
          numericGradient((values) => {
            v.assign(tf.tensor(values, shape));
            return loss();
          }, c.vars[i]!.values),
        );
        v.assign(tf.tensor(c.vars[i]!.values, shape));
      });
      for (const [what, got] of [
        ["eager tape vs finite differences", eager],
        ["tape around tf.function vs finite differences", around],
        ["tape inside tf.function vs finite differences", within],
      ] as const) {
        const p = compare(got, numeric, FD.atol, FD.rtol, what, names);
        if (p !== undefined) expect.fail(problem(p));
      }
      const p =
        compare(around, eager, 1e-4, 1e-4, "tape around tf.function vs eager tape", names) ??
        compare(within, eager, 1e-4, 1e-4, "tape inside tf.function vs eager tape", names);
      if (p !== undefined) expect.fail(problem(p));
    });
  } finally {
    for (const cf of [...f.concreteFunctions(), ...inside.concreteFunctions()]) cf.dispose();
    for (const v of vars) v.dispose();
  }
}

/** A shape-preserving body program on `shape` whose binary steps read the variables or x. */
function bodyProgram(b: Builder, shape: number[], steps: number, forced: Operand): Apply[] {
  const start = b.steps.length;
  // The first step always uses the forced operand (a variable), so its gradient is never trivially null.
  const [name, fn] = b.r.pick(BINARY.slice(0, 7));
  b.lines.push(`  h = ${name.replace(/\bw\b/g, b.nameOf(forced))}  (${b.nameOf(forced)}: [${b.shapeOf(forced)}])`);
  b.steps.push((h, env) => fn(h, read(forced, env)));
  for (let i = 1; i < steps; i++) {
    const step = randomStep(b, shape);
    b.lines.push(`  ${step.line}`);
    b.steps.push(step.apply);
  }
  return b.steps.slice(start);
}

/** tf.cond whose branches read a variable (and x): both branches are random shape-preserving programs. */
function randomCond(r: Rng): ControlFlowCase & { readonly taken: Apply[] } {
  const shape = Array.from({ length: r.int(0, 2) }, () => r.int(1, 3));
  const vShape = partnerShape(r, shape);
  let b!: Builder;
  const partners = () => {
    const operand = r.chance(0.6)
      ? ({ kind: "var", index: r.int(0, b.vars.length - 1) } as Operand)
      : ({ kind: "input", index: 0 } as Operand);
    return { operand, shape: b.shapeOf(operand) };
  };
  b = new Builder(r, true, partners);
  b.input(shape);
  const v0 = b.variable(vShape);
  if (r.chance(0.5)) b.variable(partnerShape(r, shape));
  b.lines.push("trueFn: h = x0");
  const trueSteps = bodyProgram(b, shape, r.int(1, 3), v0);
  b.lines.push("falseFn: h = x0");
  const falseSteps = bodyProgram(b, shape, r.int(1, 3), { kind: "var", index: b.vars.length - 1 });
  // The predicate reads x: sum(x) > threshold, with the threshold well away from sum(x)
  // (0.3 or more), so no finite-difference step flips the branch.
  const sum = b.inputs[0]!.values.reduce((a, v) => a + v, 0);
  const takeTrue = r.chance(0.5);
  const threshold = Math.fround(takeTrue ? sum - r.uniform(0.3, 1) : sum + r.uniform(0.3, 1));
  const weights = Array.from({ length: sizeOf(shape) }, () => r.uniform(0.5, 1.5));
  const body = (x: tf.Tensor, vars: tf.Variable[]) => {
    const env = { xs: [x], vars };
    return tf.cond(
      tf.greater(tf.sum(x), threshold),
      () => runSteps(trueSteps, x, env),
      () => runSteps(falseSteps, x, env),
    );
  };
  return {
    inputs: b.inputs,
    vars: b.vars,
    lines: b.lines,
    steps: [],
    body,
    weights,
    extra: [
      `y = cond(sum(x0) > ${threshold}, trueFn, falseFn)  (takes ${takeTrue ? "trueFn" : "falseFn"})`,
      `loss = sum(y * ${fmt(weights)})`,
    ],
    taken: takeTrue ? trueSteps : falseSteps,
  };
}

/** tf.whileLoop whose body reads variables: an RNN step tanh(h W + b), or a random shape-preserving program. */
function randomWhile(r: Rng): ControlFlowCase & { readonly iterations: number; readonly stepsAt: (i: number) => Apply[] } {
  const rnn = r.chance(0.5);
  const shape = rnn ? [r.int(1, 2), r.int(2, 3)] : Array.from({ length: r.int(0, 2) }, () => r.int(1, 3));
  let b!: Builder;
  const partners = () => {
    const operand = r.chance(0.6)
      ? ({ kind: "var", index: r.int(0, b.vars.length - 1) } as Operand)
      : ({ kind: "input", index: 0 } as Operand);
    return { operand, shape: b.shapeOf(operand) };
  };
  b = new Builder(r, true, partners);
  b.input(shape);
  const iterations = r.int(1, 4);
  b.lines.push(`body (${iterations} iterations): h = loop variable`);
  let loopSteps: Apply[];
  // Non-RNN bodies sometimes hold a tf.cond on the iteration's parity (If inside While), each branch reading a variable.
  let oddSteps: Apply[] | undefined;
  if (rnn) {
    const d = shape[1]!;
    const w = b.variable([d, d], -0.8, 0.8);
    const bias = b.variable([d], -0.5, 0.5);
    b.lines.push(`  h = tanh(matMul(h, ${b.nameOf(w)}) + ${b.nameOf(bias)})`);
    b.steps.push((h, env) => tf.tanh(tf.add(tf.matMul(h, read(w, env)), read(bias, env))));
    loopSteps = [b.steps[0]!];
    if (r.chance(0.5)) {
      const step = unaryStep(b, shape);
      b.lines.push(`  ${step.line}`);
      b.steps.push(step.apply);
      loopSteps.push(step.apply);
    }
  } else {
    const v = b.variable(partnerShape(r, shape), -1, 1);
    const nested = r.chance(0.35);
    if (nested) b.lines.push("  cond(i % 2 == 0) trueFn:");
    loopSteps = bodyProgram(b, shape, r.int(1, 3), v);
    if (nested) {
      const u = b.variable(partnerShape(r, shape), -1, 1);
      b.lines.push("  cond(i % 2 == 0) falseFn:");
      oddSteps = bodyProgram(b, shape, r.int(1, 2), u);
    }
  }
  const weights = Array.from({ length: sizeOf(shape) }, () => r.uniform(0.5, 1.5));
  const tensorCount = r.chance(0.5);
  const body = (x: tf.Tensor, vars: tf.Variable[]) => {
    const env = { xs: [x], vars };
    const n = tensorCount ? tf.scalar(iterations, "int32") : iterations;
    const [, out] = tf.whileLoop(
      (i) => tf.less(i!, n),
      (i, h) => {
        const odd = oddSteps;
        const next =
          odd === undefined
            ? runSteps(loopSteps, h!, env)
            : tf.cond(
                tf.equal(tf.mod(i!, 2), 0),
                () => runSteps(loopSteps, h!, env),
                () => runSteps(odd, h!, env),
              );
        return [i!.add(1), next];
      },
      [tf.scalar(0, "int32"), x],
    );
    return out!;
  };
  return {
    inputs: b.inputs,
    vars: b.vars,
    lines: b.lines,
    steps: [],
    body,
    weights,
    extra: [
      `y = whileLoop(i < ${tensorCount ? "tf.scalar(n)" : "n"}, body, [0, x0])[1], n = ${iterations}`,
      `loss = sum(y * ${fmt(weights)})`,
    ],
    iterations,
    stepsAt: (i) => (oddSteps !== undefined && i % 2 === 1 ? oddSteps : loopSteps),
  };
}

/** Eager probe run of a control-flow case with the given steps (x and the variables at their initial values). */
function controlFlowMargin(c: Program, stepsAt: (i: number) => Apply[], repeat: number): number {
  return marginOf(c, (probe) => {
    const vars = c.vars.map((v) => new tf.Variable(tf.tensor(v.values, v.shape)));
    try {
      const x = tf.tensor(c.inputs[0]!.values, c.inputs[0]!.shape);
      let h = x;
      for (let i = 0; i < repeat; i++) h = runSteps(stepsAt(i), h, { xs: [x], vars }, probe);
    } finally {
      for (const v of vars) v.dispose();
    }
  });
}

/**
 * When `checkGradient`'s plain central differences disagree with the tape, the curvature may
 * be too high for them (exp of a square, several squarings): the tape gradient is checked
 * again against Richardson-extrapolated differences, and the gradient computed inside a
 * tf.function (which `checkGradient` checks after the differences) against the eager one.
 * Any other failure, or a disagreement that remains, is rethrown.
 */
function recheck(error: unknown, run: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed: number): void {
  if (!(error instanceof Error) || !error.message.includes("finite difference")) throw error;
  const problem = tf.tidy(() => {
    const r = new Rng(seed);
    const shapes = inputs.map((x) => x.shape as number[]);
    const weights = Array.from({ length: (run(...inputs) as tf.Tensor).size }, () => r.uniform(0.5, 1.5));
    const tape = new tf.GradientTape();
    const y = tape.record(() => {
      tape.watch(inputs);
      return weighted(run(...inputs), weights);
    });
    const eager = gradsOf(tape.gradient(y, inputs), shapes);
    const numeric = inputs.map((x, i) =>
      numericGradient(
        (values) => weighted(run(...inputs.map((t, k) => (k === i ? tf.tensor(values, shapes[i]) : t))), weights).dataSync()[0]!,
        Array.from(x.dataSync()),
      ),
    );
    const inside = tf.function(
      (...xs: tf.Tensor[]) => {
        const t = new tf.GradientTape();
        const v = t.record(() => {
          t.watch(xs);
          return weighted(run(...xs), weights);
        });
        return t.gradient(v, xs).map((g, k) => g ?? tf.zerosLike(xs[k]!));
      },
      { autograph: false },
    );
    try {
      const names = inputs.map((_, i) => `x${i}`);
      return (
        compare(eager, numeric, FD.atol, FD.rtol, "eager tape vs Richardson-extrapolated finite differences", names) ??
        compare(gradsOf(inside(...inputs) as tf.Tensor[], shapes), eager, 1e-4, 1e-4, "tape inside tf.function vs eager tape", names)
      );
    } finally {
      for (const cf of inside.concreteFunctions()) cf.dispose();
    }
  });
  if (problem !== undefined) throw new Error(`${error.message}; rechecked: ${problem}`);
}

/**
 * The gradient with the tape around a call of the traced function (one call op whose
 * backward pass is itself a traced function, SPEC J1) must equal the eager tape's.
 */
function tapeAroundMatches(
  run: (...xs: tf.Tensor[]) => tf.Tensor,
  traced: (...xs: tf.Tensor[]) => unknown,
  inputs: tf.Tensor[],
  seed: number,
): string | undefined {
  return tf.tidy(() => {
    const grads = (f: (...xs: tf.Tensor[]) => tf.Tensor) => {
      const r = new Rng(seed);
      const tape = new tf.GradientTape();
      const y = tape.record(() => {
        tape.watch(inputs);
        const out = f(...inputs);
        return weighted(
          out,
          Array.from({ length: out.size }, () => r.uniform(0.5, 1.5)),
        );
      });
      return gradsOf(
        tape.gradient(y, inputs),
        inputs.map((x) => x.shape as number[]),
      );
    };
    const names = inputs.map((_, i) => `x${i}`);
    return compare(
      grads((...xs) => traced(...xs) as tf.Tensor),
      grads(run),
      1e-4,
      1e-4,
      "tape around tf.function vs eager tape",
      names,
    );
  });
}

describe(`gradient fuzzer (seed ${SEED})`, () => {
  it(
    `compositions of differentiable ops match finite differences, eagerly, inside tf.function and around it (${COMPOSITIONS} cases)`,
    () => {
      for (const index of indices(COMPOSITIONS)) {
        const program = drawValid("composition", index, randomComposition, (p) =>
          marginOf(p, (probe) => {
            const xs = p.inputs.map((x) => tf.tensor(x.values, x.shape));
            runSteps(p.steps, xs[0]!, { xs, vars: [] }, probe);
          }),
        );
        const inputs = program.inputs.map((x) => tf.tensor(x.values, x.shape));
        const run = (...xs: tf.Tensor[]) => runSteps(program.steps, xs[0]!, { xs, vars: [] });
        const traced = tf.function(run, { autograph: false });
        try {
          try {
            checkGradient(run, inputs, FD);
          } catch (error) {
            recheck(error, run, inputs, caseSeed("composition weights", index, 1));
          }
          const problem = tapeAroundMatches(run, traced, inputs, caseSeed("composition weights", index, 0));
          if (problem !== undefined) throw new Error(problem);
        } catch (error) {
          expect.fail(
            `gradient fuzzer (compositions): ${error instanceof Error ? error.message : String(error)}\n  ${reproduce("compositions", index)}\n${describeProgram(program)}`,
          );
        } finally {
          tf.dispose(inputs);
          for (const cf of traced.concreteFunctions()) cf.dispose();
        }
      }
    },
    Math.max(60_000, COMPOSITIONS * 2_000),
  );

  it(
    `tf.cond branches reading a tf.Variable: gradients for x and the variables (${CONTROL_FLOW} cases)`,
    () => {
      for (const index of indices(CONTROL_FLOW)) {
        const c = drawValid("cond", index, randomCond, (p) => controlFlowMargin(p, () => p.taken, 1));
        checkControlFlow("tf.cond", index, c);
      }
    },
    Math.max(60_000, CONTROL_FLOW * 5_000),
  );

  it(
    `tf.whileLoop bodies reading tf.Variables: gradients for x and the variables (${CONTROL_FLOW} cases)`,
    () => {
      for (const index of indices(CONTROL_FLOW)) {
        const c = drawValid("while", index, randomWhile, (p) => controlFlowMargin(p, p.stepsAt, p.iterations));
        checkControlFlow("tf.whileLoop", index, c);
      }
    },
    Math.max(60_000, CONTROL_FLOW * 5_000),
  );
});
