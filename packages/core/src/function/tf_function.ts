import type { TensorLike } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { getRuntime } from "../trace/runtime.js";
import { makeCallable } from "./callable.js";
import { type FunctionOptions, PolymorphicFunction } from "./polymorphic_function.js";
import { isInstance } from "./this_binding.js";

/** A parameter type as callers may pass it: anything convertible where a tensor is declared (SPEC F2). */
export type Loosen<T> = T extends Tensor
  ? TensorLike
  : T extends readonly (infer U)[]
    ? Loosen<U>[]
    : T extends Record<string, unknown>
      ? { [K in keyof T]: Loosen<T[K]> }
      : T;

/** A `tf.function`: the PolymorphicFunction API plus the original call signature (tensor parameters accept any TensorLike). */
export type TfFunction<F extends (...args: any[]) => any> = PolymorphicFunction & ((...args: LooseArgs<Parameters<F>>) => ReturnType<F>);

/** Loosened parameter list (a mapped tuple: the mapping must be over a type parameter to stay a tuple). */
export type LooseArgs<P extends readonly unknown[]> = { [K in keyof P]: Loosen<P[K]> };

/** The part of a TS 5 decorator context `tf.function` needs. */
interface MethodContext {
  readonly kind: "method";
  readonly name: string | symbol;
}

function isMethodContext(value: unknown): value is MethodContext {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "method" && "name" in value;
}

/** Wraps `fn`, converting it with AutoGraph first when a converter is registered and enabled. */
function create<F extends (...args: any[]) => any>(fn: F, options: FunctionOptions): TfFunction<F> {
  const converter = getRuntime().autograph;
  const converted = options.autograph !== false && converter !== undefined ? converter(fn) : fn;
  const polymorphic = new PolymorphicFunction(converted, { ...options, name: options.name ?? (fn.name || "function") });
  return makeCallable(polymorphic, function (this: unknown, ...args: unknown[]) {
    return polymorphic.call(this, args);
  }) as TfFunction<F>;
}

/** A method decorator that gives each instance its own PolymorphicFunction, held weakly (SPEC C8). */
function decorate<F extends (...args: any[]) => any>(method: F, context: MethodContext, options: FunctionOptions): F {
  const methodName = String(context.name);
  const shared = create(method, { ...options, name: options.name ?? methodName });
  return function (this: unknown, ...args: unknown[]) {
    if (!isInstance(this)) {
      throw new TypeError(
        `tf.function: method '${methodName}' was called without an instance (this is ${this === null ? "null" : typeof this}); ` +
          `call it on an instance (obj.${methodName}(...)), or bind it first (const m = obj.${methodName}.bind(obj))`,
      );
    }
    return shared.forInstance(this)(...args);
  } as F;
}

/**
 * Turns a function over tensors into a traced, cached graph function (`tf.function`).
 * Also a TS 5 method decorator, bare or with options.
 *
 * ```ts
 * const tfCube = tf.function((x) => tf.pow(x, 3));
 * class Counter {
 *   count = new tf.Variable(0, { dtype: "int32" });
 *   @tf.function increment() { return this.count.assignAdd(1); }
 * }
 * ```
 */
export function tfFunction<F extends (...args: any[]) => any>(fn: F, options?: FunctionOptions): TfFunction<F>;
export function tfFunction<F extends (...args: any[]) => any>(method: F, context: MethodContext): F;
export function tfFunction(options: FunctionOptions): <F extends (...args: any[]) => any>(method: F, context: MethodContext) => F;
export function tfFunction(first: unknown, second?: unknown): unknown {
  if (typeof first === "function") {
    if (isMethodContext(second)) return decorate(first as (...args: any[]) => any, second, {});
    if (second !== undefined && (typeof second !== "object" || second === null)) {
      throw new TypeError(`tf.function: the second argument must be an options object, received ${typeof second}`);
    }
    return create(first as (...args: any[]) => any, (second ?? {}) as FunctionOptions);
  }
  if (typeof first === "object" && first !== null && second === undefined) {
    const options = first as FunctionOptions;
    return (method: (...args: any[]) => any, context: MethodContext) => {
      if (!isMethodContext(context)) throw new TypeError("tf.function(options) returns a decorator for class methods");
      return decorate(method, context, options);
    };
  }
  throw new TypeError(`tf.function: expected a function (or options for a decorator), received ${first === null ? "null" : typeof first}`);
}
