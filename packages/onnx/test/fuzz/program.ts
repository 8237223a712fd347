/**
 * Random programs for the composition fuzzer: a chain of steps on a current value `h`, each
 * drawing the inputs it needs (new graph inputs of broadcasting, matching or growing shapes),
 * so that one exported model mixes elementwise, reduction, movement, cast, selection and
 * control-flow ops the way user code does.
 *
 * ```ts
 * const p = generate(new Rng(seed));   // p.lines: the program as text, p.inputs: its inputs
 * const outs = p.run(xs, probe);       // eagerly (probing) or inside a tf.function
 * ```
 */
import type { FuzzInput, Rng } from "@kiln/conformance";
import type { tf } from "../setup.js";
import { nextStep } from "./steps.js";

export type FuzzDType = "float32" | "int32" | "bool";

/** What the program knows of a value while it is built: shape, dtype, and whether it is exact. */
export interface Value {
  readonly shape: readonly number[];
  readonly dtype: FuzzDType;
  /**
   * Whether Kiln and onnxruntime compute it bit for bit: inputs, movement, IEEE-rounded
   * arithmetic, comparisons. Transcendentals, accumulations and matrix products are inexact
   * (other libm, other summation order), and steps that turn small differences into large
   * ones (floor, sign, comparisons, casts to int32) only follow exact values.
   */
  readonly exact: boolean;
}

/** Watches one eager run: `seen` gets every intermediate value (the tolerance scales with the largest). */
export interface Probe {
  seen(t: tf.Tensor): void;
}

/** One step: its line of program text, its result, and how to compute it. */
export interface Step {
  readonly line: string;
  readonly out: Value;
  readonly apply: (h: tf.Tensor, xs: readonly tf.Tensor[], probe: Probe | undefined) => tf.Tensor;
}

/** Where a program draws its inputs and random choices; steps declare inputs through it. */
export class Builder {
  readonly inputs: FuzzInput[] = [];

  constructor(
    readonly r: Rng,
    /** Whether float inputs hold special values (NaN, ±Infinity, -0, huge, tiny) and int32 inputs extremes. */
    readonly special: boolean,
  ) {}

  /** Declares an input of `shape` and `dtype` with random values; returns its index. */
  input(shape: readonly number[], dtype: FuzzDType, range?: readonly [number, number]): number {
    const n = shape.reduce((a, d) => a * d, 1);
    const [lo, hi] = range ?? (dtype === "float32" ? [-3, 3] : [-6, 6]);
    const values =
      dtype === "bool"
        ? Array.from({ length: n }, () => (this.r.chance(0.5) ? 1 : 0))
        : range !== undefined
          ? Array.from({ length: n }, () => (dtype === "int32" ? this.r.int(lo, hi) : Math.fround(lo + (hi - lo) * this.r.random())))
          : dtype === "float32"
            ? this.r.floats(n, { lo, hi, special: this.special })
            : this.r.ints(n, { lo, hi, extremes: this.special, wide: 1000 });
    this.inputs.push({ name: `x${this.inputs.length}`, shape: [...shape], dtype, values });
    return this.inputs.length - 1;
  }
}

/** A generated program: its inputs, its text, and how to run it on tensors of those inputs. */
export interface Program {
  readonly inputs: readonly FuzzInput[];
  readonly lines: readonly string[];
  /** Whether every step is exact (results must match to the last bit). */
  readonly exact: boolean;
  /** Results: the final value and, sometimes, an earlier one. */
  run(xs: readonly tf.Tensor[], probe?: Probe): tf.Tensor[];
}

/** A random program of 2-7 steps from a random first input. */
export function generate(r: Rng): Program {
  const b = new Builder(r, r.chance(0.3));
  const first: Value = {
    shape: r.shape({ maxRank: 4, maxSize: 48 }),
    dtype: r.pick(["float32", "float32", "float32", "int32", "bool"]),
    exact: true,
  };
  b.input(first.shape, first.dtype);
  const steps: Step[] = [];
  let h = first;
  const count = r.int(2, 7);
  for (let i = 0; i < count; i++) {
    const step = nextStep(b, h);
    steps.push(step);
    h = step.out;
  }
  // Sometimes an intermediate is a second output (a value both used later and returned).
  const extra = steps.length > 1 && r.chance(0.3) ? r.int(0, steps.length - 2) : -1;
  const lines = [
    "h = x0",
    ...steps.map((s, k) => `${k + 1}. ${s.line}`),
    extra >= 0 ? `return [h, h after step ${extra + 1}]` : "return h",
  ];
  return {
    inputs: b.inputs,
    lines,
    exact: steps.every((s) => s.out.exact),
    run(xs, probe) {
      let value = xs[0]!;
      probe?.seen(value);
      const kept: tf.Tensor[] = [];
      steps.forEach((s, k) => {
        value = s.apply(value, xs, probe);
        probe?.seen(value);
        if (k === extra) kept.push(value);
      });
      return [value, ...kept];
    },
  };
}
