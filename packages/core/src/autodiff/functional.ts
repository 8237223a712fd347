import { ArgumentError } from "../base/errors.js";
import type { Variable } from "../function/variable.js";
import { toOwnedTensor } from "../ops/convert.js";
import { onesLike, zerosLike } from "../ops/creation.js";
import { asTensor, type TensorLike } from "../tensor/convert.js";
import { Tensor } from "../tensor/tensor.js";
import { tidy } from "../trace/scope.js";
import { GradientTape } from "./gradient_tape.js";

/**
 * Records `f` on a tape and returns its value and the gradients of every argument; the
 * tape is released even when `f` or the gradient throws. Callers run it in a `tidy`, like
 * tfjs: the forward pass's intermediates, the default `dy` and tensors made from JS
 * arguments are freed; the tape's own handles on what its backward pass needs are not
 * owned by the scope and live until the tape is released.
 */
function run(
  f: (...xs: Tensor[]) => Tensor,
  args: readonly TensorLike[],
  dy: TensorLike | undefined,
  api: string,
): { value: Tensor; grads: Tensor[] } {
  // Owned (not single-use) conversions: `f` may use an argument in several ops; the scope frees them.
  const xs = args.map((a, i) => asTensor(a) ?? toOwnedTensor(a, api, `args[${i}]`));
  const tape = new GradientTape();
  try {
    const value = tape.record(() => {
      tape.watch(xs);
      return f(...xs);
    });
    if (!(value instanceof Tensor))
      throw new ArgumentError(`${api}: f must return a tensor, received ${value === null ? "null" : typeof value}`);
    // tfjs's functional gradients default `dy` to ones and disconnected inputs to zeros.
    const outputGradient =
      dy === undefined ? (value.size === 1 ? undefined : onesLike(value)) : (asTensor(dy) ?? toOwnedTensor(dy, api, "dy", value.dtype));
    const grads = tape.gradient(value, xs, outputGradient);
    return { value, grads: grads.map((g, i) => g ?? zerosLike(xs[i]!)) };
  } finally {
    tape.dispose();
  }
}

/**
 * tfjs's `tf.grad`: returns a function computing the gradient of `f` at `x` (with `dy`
 * as the upstream gradient; ones by default). Only the gradient survives the call.
 *
 * ```ts
 * const df = tf.grad((x) => x.square()); // 2x
 * df(tf.tensor([1, 2])); // [2, 4]
 * ```
 */
export function grad(f: (x: Tensor) => Tensor): (x: TensorLike, dy?: TensorLike) => Tensor {
  return (x, dy) => tidy(() => run(f, [x], dy, "grad").grads[0]!);
}

/** tfjs's `tf.grads`: gradients of `f` with respect to each argument. */
export function grads(f: (...xs: Tensor[]) => Tensor): (args: TensorLike[], dy?: TensorLike) => Tensor[] {
  return (args, dy) => tidy(() => run(f, args, dy, "grads").grads);
}

/** tfjs's `tf.valueAndGrad`: `{ value, grad }`. */
export function valueAndGrad(f: (x: Tensor) => Tensor): (x: TensorLike, dy?: TensorLike) => { value: Tensor; grad: Tensor } {
  return (x, dy) =>
    tidy(() => {
      const { value, grads: gs } = run(f, [x], dy, "valueAndGrad");
      return { value, grad: gs[0]! };
    });
}

/** tfjs's `tf.valueAndGrads`: `{ value, grads }`. */
export function valueAndGrads(f: (...xs: Tensor[]) => Tensor): (args: TensorLike[], dy?: TensorLike) => { value: Tensor; grads: Tensor[] } {
  return (args, dy) => tidy(() => run(f, args, dy, "valueAndGrads"));
}

/**
 * tfjs's `tf.variableGrads`: the value of scalar `f()` and its gradient with respect to
 * each trainable variable it reads (or `varList`), keyed by variable name. Only the value
 * and the gradients survive the call.
 *
 * ```ts
 * const { value, grads } = tf.variableGrads(() => loss(model));
 * ```
 */
export function variableGrads(f: () => Tensor, varList?: readonly Variable[]): { value: Tensor; grads: Record<string, Tensor> } {
  return tidy(() => {
    const tape = new GradientTape({ watchAccessedVariables: varList === undefined });
    try {
      const value = tape.record(() => {
        if (varList !== undefined) tape.watch([...varList]);
        return f();
      });
      if (!(value instanceof Tensor))
        throw new ArgumentError(`variableGrads: f must return a scalar tensor, received ${value === null ? "null" : typeof value}`);
      if (value.size !== 1) throw new ArgumentError(`variableGrads: f must return a scalar, but returned shape [${value.shape.join(",")}]`);
      const readVariables = varList ?? tape.watchedVariables();
      const gs = tape.gradient(value, [...readVariables]);
      const out: Record<string, Tensor> = {};
      readVariables.forEach((v, i) => {
        const g = gs[i];
        if (g !== null && g !== undefined) out[v.name] = g;
      });
      return { value, grads: out };
    } finally {
      tape.dispose();
    }
  });
}
