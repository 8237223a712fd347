import { ArgumentError } from "../base/errors.js";
import { Variable } from "../function/variable.js";
import { toTensor } from "../ops/convert.js";
import { onesLike, zerosLike } from "../ops/creation.js";
import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { GradientTape } from "./gradient_tape.js";

function run(f: (...xs: Tensor[]) => Tensor, args: readonly TensorLike[], dy: TensorLike | undefined, api: string): { value: Tensor; grads: Tensor[] } {
  const xs = args.map((a, i) => toTensor(a, api, `args[${i}]`));
  const tape = new GradientTape();
  const value = tape.record(() => {
    tape.watch(xs);
    return f(...xs);
  });
  // tfjs's functional gradients default `dy` to ones and disconnected inputs to zeros.
  const outputGradient = dy === undefined ? (value.size === 1 ? undefined : onesLike(value)) : toTensor(dy, api, "dy", value.dtype);
  const grads = tape.gradient(value, xs, outputGradient);
  if (dy === undefined && outputGradient !== undefined) outputGradient.dispose();
  return { value, grads: grads.map((g, i) => g ?? zerosLike(xs[i]!)) };
}

/**
 * tfjs's `tf.grad`: returns a function computing the gradient of `f` at `x` (with `dy`
 * as the upstream gradient; ones by default).
 *
 * ```ts
 * const df = tf.grad((x) => x.square()); // 2x
 * df(tf.tensor([1, 2])); // [2, 4]
 * ```
 */
export function grad(f: (x: Tensor) => Tensor): (x: TensorLike, dy?: TensorLike) => Tensor {
  return (x, dy) => {
    const { value, grads: gs } = run(f, [x], dy, "grad");
    value.dispose();
    return gs[0]!;
  };
}

/** tfjs's `tf.grads`: gradients of `f` with respect to each argument. */
export function grads(f: (...xs: Tensor[]) => Tensor): (args: TensorLike[], dy?: TensorLike) => Tensor[] {
  return (args, dy) => {
    const { value, grads: gs } = run(f, args, dy, "grads");
    value.dispose();
    return gs;
  };
}

/** tfjs's `tf.valueAndGrad`: `{ value, grad }`. */
export function valueAndGrad(f: (x: Tensor) => Tensor): (x: TensorLike, dy?: TensorLike) => { value: Tensor; grad: Tensor } {
  return (x, dy) => {
    const { value, grads: gs } = run(f, [x], dy, "valueAndGrad");
    return { value, grad: gs[0]! };
  };
}

/** tfjs's `tf.valueAndGrads`: `{ value, grads }`. */
export function valueAndGrads(f: (...xs: Tensor[]) => Tensor): (args: TensorLike[], dy?: TensorLike) => { value: Tensor; grads: Tensor[] } {
  return (args, dy) => run(f, args, dy, "valueAndGrads");
}

/**
 * tfjs's `tf.variableGrads`: the value of scalar `f()` and its gradient with respect to
 * each trainable variable it reads (or `varList`), keyed by variable name.
 *
 * ```ts
 * const { value, grads } = tf.variableGrads(() => loss(model));
 * ```
 */
export function variableGrads(f: () => Tensor, varList?: readonly Variable[]): { value: Tensor; grads: Record<string, Tensor> } {
  const tape = new GradientTape({ watchAccessedVariables: varList === undefined });
  const value = tape.record(() => {
    if (varList !== undefined) tape.watch([...varList]);
    return f();
  });
  if (value.size !== 1) throw new ArgumentError(`variableGrads: f must return a scalar, but returned shape [${value.shape.join(",")}]`);
  const readVariables = varList ?? collectTrainable(tape);
  const gs = tape.gradient(value, [...readVariables]);
  const out: Record<string, Tensor> = {};
  readVariables.forEach((v, i) => {
    const g = gs[i];
    if (g !== null && g !== undefined) out[v.name] = g;
  });
  return { value, grads: out };
}

function collectTrainable(tape: GradientTape): Variable[] {
  return tape.watchedVariables();
}
