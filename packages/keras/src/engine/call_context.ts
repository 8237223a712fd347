/**
 * The call context: while a layer's `call` runs, nested layers find the enclosing `training`
 * flag and the list that collects losses added with `addLoss` (activity regularizers), like
 * Keras's call context. It is a stack scoped with try/finally, never left behind by a throw.
 *
 * ```ts
 * model.apply(x, { training: true }); // every nested layer sees training === true
 * ```
 */
import type * as tf from "@kiln/core";

/** What a layer call sees: the training flag and where added losses go. */
export interface CallContext {
  readonly training: boolean;
  readonly losses: tf.Tensor[];
}

const stack: CallContext[] = [];

/** The innermost active call context, if any. */
export function currentCallContext(): CallContext | undefined {
  return stack[stack.length - 1];
}

/**
 * Runs `fn` inside a call context with `training` (inherited from the enclosing context when
 * `undefined`, else false) and a fresh loss list when none encloses it.
 */
export function withCallContext<T>(training: boolean | undefined, fn: (context: CallContext) => T): T {
  const outer = currentCallContext();
  const context: CallContext = { training: training ?? outer?.training ?? false, losses: outer?.losses ?? [] };
  stack.push(context);
  try {
    return fn(context);
  } finally {
    stack.pop();
  }
}
