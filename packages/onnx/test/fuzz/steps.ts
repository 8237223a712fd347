/**
 * Picks the composition fuzzer's next step for the current value, and builds its control-flow
 * steps: `tf.cond` on a data-dependent predicate with random branches, and `tf.whileLoop`
 * with a data-dependent trip count (an input) over random bodies, nested up to two deep.
 *
 * ```ts
 * const step = nextStep(b, h, { depth: 0 });
 * ```
 */
import { tf } from "../setup.js";
import { binaryStep, castStep, logicStep, unaryStep } from "./elementwise.js";
import type { Builder, Step, Value } from "./program.js";
import { movementStep, numericStep, reductionStep } from "./structure.js";

type Family = (b: Builder, h: Value, depth: number) => Step | undefined;

const sameValue = (a: Value, c: Value) =>
  a.dtype === c.dtype && a.shape.length === c.shape.length && a.shape.every((d, i) => d === c.shape[i]);

/** 1-3 steps from `h`, each keeping its shape and dtype (a branch or a loop body). */
function body(b: Builder, h: Value, depth: number): Step[] {
  const steps: Step[] = [];
  let v = h;
  for (let i = b.r.int(1, 3); i > 0; i--) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const mark = b.inputs.length;
      const step = nextStep(b, v, depth + 1);
      if (sameValue(step.out, h)) {
        steps.push(step);
        v = step.out;
        break;
      }
      b.inputs.length = mark; // that step's inputs are not used
    }
  }
  return steps.length > 0 ? steps : [identityOf(h)];
}

const identityOf = (h: Value): Step => ({ line: "h = identity(h)", out: h, apply: (x) => tf.identity(x) });

function runAll(steps: readonly Step[], x: tf.Tensor, xs: readonly tf.Tensor[], probe: Parameters<Step["apply"]>[2]): tf.Tensor {
  return steps.reduce((v, s) => {
    const out = s.apply(v, xs, probe);
    probe?.seen(out);
    return out;
  }, x);
}

const indent = (steps: readonly Step[]) => steps.map((s) => `    ${s.line.replace(/\n/g, "\n    ")}`).join("\n");

/** `tf.cond` on `any(h > 0)` (exact values) or a bool input, with two random branches. */
const condStep: Family = (b, h, depth) => {
  const fromH = h.exact && h.dtype !== "bool" && b.r.chance(0.6);
  const k = fromH ? -1 : b.input([], "bool");
  const [then, otherwise] = [body(b, h, depth), body(b, h, depth)];
  const exact = h.exact && [...then, ...otherwise].every((s) => s.out.exact);
  return {
    line: `h = cond(${fromH ? "any(h > 0)" : `x${k}`},\n  then:\n${indent(then)}\n  else:\n${indent(otherwise)})`,
    out: { ...h, exact },
    apply: (x, xs, probe) => {
      const pred = fromH ? tf.any(tf.greater(x, 0)) : xs[k]!;
      return tf.cond(
        pred,
        () => runAll(then, x, xs, probe),
        () => runAll(otherwise, x, xs, probe),
      );
    },
  };
};

/** `tf.whileLoop` running a random body `n` times, `n` an int32 input in [0, 3]. */
const whileStep: Family = (b, h, depth) => {
  const k = b.input([], "int32", [0, 3]);
  const mark = b.inputs.length;
  let steps = body(b, h, depth);
  if (h.exact && !steps.every((s) => s.out.exact)) {
    // A second pass sees the first one's inexact result: choose the steps for that.
    b.inputs.length = mark;
    steps = body(b, { ...h, exact: false }, depth);
  }
  return {
    line: `h = while (i < x${k}) {\n${indent(steps)}\n  }`,
    out: { ...h, exact: h.exact && steps.every((s) => s.out.exact) },
    apply: (x, xs, probe) => {
      const [, result] = tf.whileLoop(
        (i) => tf.less(i, xs[k]!),
        (i, v) => [tf.add(i, 1), runAll(steps, v!, xs, probe)],
        [tf.scalar(0, "int32"), x],
      );
      return result!;
    },
  };
};

const FAMILIES: readonly (readonly [Family, number])[] = [
  [unaryStep, 4],
  [binaryStep, 4],
  [logicStep, 2],
  [castStep, 1],
  [reductionStep, 2],
  [movementStep, 4],
  [numericStep, 2],
  [condStep, 1],
  [whileStep, 1],
];

/** A random step valid for `h`; control flow only up to two levels deep. */
export function nextStep(b: Builder, h: Value, depth = 0): Step {
  const families = FAMILIES.filter(([f]) => depth < 2 || (f !== condStep && f !== whileStep));
  const total = families.reduce((a, [, w]) => a + w, 0);
  for (let attempt = 0; attempt < 50; attempt++) {
    let pick = b.r.random() * total;
    const [family] = families.find(([, w]) => (pick -= w) < 0) ?? families[0]!;
    const mark = b.inputs.length;
    const step = family(b, h, depth);
    if (step !== undefined && step.out.shape.reduce((a, d) => a * d, 1) <= 512) return step;
    b.inputs.length = mark;
  }
  return identityOf(h);
}
