import type { Shape } from "../base/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { getRuntime } from "../trace/runtime.js";
import { makeCallable } from "./callable.js";
import type { ConcreteFunction } from "./concrete_function.js";
import { FunctionCache } from "./function_cache.js";
import { bindConcreteCall } from "./concrete_call.js";
import { acceptsDims, encodeArgs, type FunctionType } from "./function_type.js";
import { type Conformed, conformToSignature, releaseConformed, validateSignature } from "./input_signature.js";
import { argumentNames, type Parameter, parameters } from "./parameters.js";
import type { SignatureParameter } from "./pretty_signature.js";
import { RetracingDetector } from "./retracing.js";
import { explainTrace, type TraceReason } from "./trace_reason.js";
import { isInstance, readsThis } from "./this_binding.js";
import { traceFunction } from "./trace_function.js";
import type { Variable } from "./variable.js";

/** Options of `tf.function(fn, options)`. */
export interface FunctionOptions {
  /** Fixes the one signature the function accepts (SPEC F). */
  readonly inputSignature?: readonly unknown[];
  /** Convert JS control flow with @kiln/autograph when it is registered (default true). */
  readonly autograph?: boolean;
  /** Relax dimension sizes to `null` after a second shape of the same rank (default true, SPEC D). */
  readonly reduceRetracing?: boolean;
  /** Accepted for TF compatibility; every Kiln function is compiled into a plan already. */
  readonly jitCompile?: boolean;
  /** Name used in graphs, signatures and messages (default: the JS function's name). */
  readonly name?: string;
}

/** A PolymorphicFunction as handed to users: callable with the function's arguments. */
export type CallablePolymorphicFunction = PolymorphicFunction & ((...args: any[]) => any);

/**
 * A concrete function as handed to users: callable with the original (structured)
 * arguments, where JS-valued ones may be left out (they are pinned to the traced values).
 */
export type CallableConcreteFunction = ConcreteFunction & ((...args: any[]) => any);

const detectors = new WeakMap<Function, RetracingDetector>();

/**
 * What `tf.function(fn)` returns: a callable that owns a cache of concrete functions, one
 * per input signature (SPEC A1). A call whose signature is cached runs the stored graph; a
 * miss traces `fn` once more (SPEC A3, C, D).
 *
 * ```ts
 * const tfCube = tf.function((x) => tf.pow(x, 3));
 * tfCube(tf.constant(2)); // traces, returns 8
 * tfCube(tf.constant(3)); // runs the cached graph, returns 27
 * tfCube.tracingCount;    // 1
 * ```
 */
export class PolymorphicFunction {
  readonly name: string;
  private readonly cache = new FunctionCache();
  private readonly params: readonly Parameter[] | undefined;
  private readonly signature: readonly unknown[] | undefined;
  private readonly detector: RetracingDetector;
  private readonly signatureTrace: { fn?: CallableConcreteFunction } = {};
  /** Whether a trace ever succeeded: only the first may create variables, even after `dispose()`. */
  private traced = false;
  /** Why each concrete function in the cache was traced, in trace order. */
  private readonly reasons = new Map<ConcreteFunction, TraceReason>();
  /** Per-instance functions (SPEC C8), held as long as their instance lives. */
  private readonly instances = new WeakMap<object, CallablePolymorphicFunction>();
  /** Whether a call with an instance as `this` runs that instance's function: `this` can change the result. */
  private readonly bindsPerInstance: boolean;

  constructor(
    /** The JS function being traced (after AutoGraph conversion, when enabled). */
    readonly pythonFunction: Function,
    readonly options: FunctionOptions = {},
    private readonly boundThis?: unknown,
  ) {
    this.name = options.name ?? (pythonFunction.name || "function");
    this.params = parameters(pythonFunction);
    this.signature = options.inputSignature === undefined ? undefined : validateSignature(options.inputSignature, this.params, this.name);
    let detector = detectors.get(pythonFunction);
    // Warnings go to whichever runtime is current when one is due, not the one at creation.
    if (detector === undefined) detectors.set(pythonFunction, (detector = new RetracingDetector((m) => getRuntime().warn(m))));
    this.detector = detector;
    this.bindsPerInstance = boundThis === undefined && readsThis(pythonFunction);
  }

  /**
   * This function bound to `instance`, with its own cache held as long as the instance
   * lives (SPEC C8): what a call `instance.method(x)` runs when `method` is this function.
   *
   * ```ts
   * Scaler.prototype.apply = tf.function(function (x) { return tf.mul(x, this.k); });
   * a.apply(x); b.apply(x);                      // one trace each, with a's and b's k
   * Scaler.prototype.apply.forInstance(a).tracingCount; // 1
   * ```
   */
  forInstance(instance: object): CallablePolymorphicFunction {
    if (!isInstance(instance))
      throw new TypeError(`${this.name}: forInstance expects an object, received ${instance === null ? "null" : typeof instance}`);
    if (this.boundThis !== undefined) throw new TypeError(`${this.name}: this function is already bound to an instance`);
    let fn = this.instances.get(instance);
    if (fn === undefined) {
      const bound = new PolymorphicFunction(this.pythonFunction, { ...this.options, name: this.name }, instance);
      this.instances.set(instance, (fn = makeCallable(bound, (...args: unknown[]) => bound.call(instance, args))));
    }
    return fn;
  }

  /** Number of concrete functions traced so far (SPEC B7). */
  get tracingCount(): number {
    return this.cache.size + (this.signatureTrace.fn === undefined ? 0 : 1);
  }

  /** The concrete functions traced so far, in trace order. */
  concreteFunctions(): CallableConcreteFunction[] {
    return this.signatureTrace.fn === undefined ? (this.cache.entries() as CallableConcreteFunction[]) : [this.signatureTrace.fn];
  }

  experimentalGetTracingCount(): number {
    return this.tracingCount;
  }

  /** Calls the function: runs a cached graph, tracing first on a cache miss. */
  call(thisArg: unknown, args: readonly unknown[]): unknown {
    if (this.bindsPerInstance && isInstance(thisArg)) return this.forInstance(thisArg)(...args);
    const runtime = getRuntime();
    if (runtime.runFunctionsEagerly) return this.pythonFunction.apply(this.boundThis ?? thisArg, args);
    if (this.signature !== undefined) {
      const conformed = conformToSignature(args, this.signature, this.name);
      try {
        const traced = this.signatureTrace.fn === undefined;
        const fn = this.traceSignature(thisArg);
        this.detector.record(traced, this.name);
        return fn.callFlat(this.flatOf(conformed.args));
      } finally {
        releaseConformed(conformed);
      }
    }
    const { fn, flat, traced } = this.resolve(thisArg, args, false);
    this.detector.record(traced, this.name);
    return fn.callFlat(flat);
  }

  /**
   * Disposes every concrete function's plans (their constant buffers) and empties the
   * cache. The function stays usable: the next call traces again, as a later trace (it may
   * not create variables). Concrete functions handed out before keep working; their plans
   * are rebuilt on demand.
   *
   * ```ts
   * const f = tf.function((x) => x.add(1));
   * f(tf.ones([2]));
   * f.dispose(); // f.tracingCount === 0
   * ```
   */
  dispose(): void {
    for (const fn of this.concreteFunctions()) fn.dispose();
    this.cache.clear();
    this.reasons.clear();
    this.lastHit.call = undefined;
    this.signatureTrace.fn = undefined;
  }

  /**
   * The concrete function for these arguments (tensors, TensorSpecs or JS values), tracing
   * if needed but never executing (SPEC B8). With an inputSignature and no arguments, the
   * single trace (SPEC F4).
   */
  getConcreteFunction(...args: unknown[]): CallableConcreteFunction {
    if (this.signature !== undefined) {
      if (args.length > 0) this.checkAgainstSignature(args);
      return this.traceSignature(undefined);
    }
    return this.resolve(undefined, args, true).fn;
  }

  /**
   * Why each concrete function was traced, in trace order: the first trace, the
   * inputSignature's, or a retrace with the arguments whose types differ from the closest
   * earlier trace (a shape, a dtype, a JS value, an object's identity, a structure) and the
   * dims `reduceRetracing` relaxed. What to read when a function traces more than expected.
   *
   * ```ts
   * const f = tf.function((x) => tf.pow(x, 3));
   * f(tf.ones([1, 2])); f(tf.ones([2, 2])); f(2);
   * f.traceReasons().map((r) => r.message);
   * // ["first trace", "x: shape (1, 2) -> (2, 2); relaxed x to (None, 2)",
   * //  "x: TensorSpec(shape=(None, 2), dtype=float32) -> Literal[2]"]
   * ```
   */
  traceReasons(): TraceReason[] {
    if (this.signature !== undefined) this.traceSignature(undefined);
    // Entries keyed on collected objects leave the cache (SPEC C4): their reasons go too.
    const live = new Set<ConcreteFunction>(this.concreteFunctions());
    for (const fn of this.reasons.keys()) if (!live.has(fn)) this.reasons.delete(fn);
    return [...this.reasons.values()];
  }

  /**
   * Every concrete function's inputs and outputs, one block each, each parameter named after
   * the JS parameter (SPEC B11). A function with an inputSignature is traced first if it was
   * not yet (as TF does), so its one signature is listed before the first call.
   *
   * ```ts
   * const pow = tf.function((x, k) => tf.pow(x, k));
   * pow.getConcreteFunction(new tf.TensorSpec([null]), 2);
   * pow.prettyPrintedConcreteSignatures();
   * // pow(x, k)
   * //   Input Parameters:
   * //     x (POSITIONAL_OR_KEYWORD): TensorSpec(shape=(None,), dtype=float32, name='x')
   * //     k (POSITIONAL_OR_KEYWORD): Literal[2]
   * //   Output Type:
   * //     TensorSpec(shape=(None,), dtype=float32, name=None)
   * ```
   */
  prettyPrintedConcreteSignatures(): string {
    const fns = this.signature === undefined ? this.cache.entries() : [this.traceSignature(undefined)];
    const declared = (this.params ?? []).map((p) => (p.rest ? `...${p.name}` : p.name)).join(", ");
    return fns
      .map((cf) => `${this.name}(${declared})\n${cf.prettySignature(this.signatureParameters(cf)).replace(/^/gm, "  ")}`)
      .join("\n\n");
  }

  toString(): string {
    return `<PolymorphicFunction ${this.name}>`;
  }

  /**
   * The concrete function for a call without an inputSignature (or for
   * `getConcreteFunction`, where TensorSpecs may stand for tensors), tracing on a miss.
   */
  private resolve(
    thisArg: unknown,
    args: readonly unknown[],
    allowSpecs: boolean,
  ): { fn: CallableConcreteFunction; flat: (Tensor | Variable)[]; traced: boolean } {
    const last = this.lastHit.call;
    if (last !== undefined && sameTensorTypes(args, last.types)) return { fn: last.fn, flat: args as Tensor[], traced: false };
    const bound = this.bindArgs(args);
    const type = encodeArgs(bound, this.name, this.paramNames(bound.length), { allowSpecs });
    const cached = this.cache.lookup(type) as CallableConcreteFunction | undefined;
    if (cached !== undefined) {
      // Calls of one signature in a row skip building the key (the cache answers the same).
      // (Types only: holding the tensors would keep dropped ones from the GC.)
      if (args.length > 0 && args.every((a) => a instanceof Tensor)) this.lastHit.call = { types: args.map((t) => ({ dtype: t.dtype, shape: t.shape })), fn: cached };
      return { fn: cached, flat: type.flat as (Tensor | Variable)[], traced: false };
    }
    const relaxed = this.options.reduceRetracing === false ? undefined : this.cache.relaxedDims(type);
    const dims = relaxed ?? type.dims;
    const fn = this.trace(thisArg, type, dims, bound);
    this.reasons.set(fn, explainTrace(fn, type, this.cache.traced(), dims, this.paramNames(type.params.length)));
    this.cache.add(type, dims, fn);
    // A new trace may be more specific than the last hit for its signature.
    this.lastHit.call = undefined;
    return { fn, flat: type.flat as (Tensor | Variable)[], traced: true };
  }

  /**
   * The tensor types (dtype, shape) of the last call the cache answered and its concrete
   * function: a call whose arguments are tensors of exactly those types gets the same answer.
   * A container, never reassigned (callables share the instance's fields).
   */
  private readonly lastHit: { call?: { readonly types: readonly { readonly dtype: string; readonly shape: readonly (number | null)[] }[]; readonly fn: CallableConcreteFunction } } = {};

  /** `getConcreteFunction(specs...)` with an inputSignature: the specs must fit the signature. */
  private checkAgainstSignature(args: readonly unknown[]): void {
    const given = encodeArgs(args, this.name, this.paramNames(args.length));
    const expected = encodeArgs(this.signature!, this.name, this.paramNames(this.signature!.length));
    if (given.relaxKey !== expected.relaxKey || !acceptsDims(expected.dims, given.dims)) {
      throw new TypeError(
        `${this.name}: getConcreteFunction arguments do not match the inputSignature; call getConcreteFunction() with no arguments for its single trace`,
      );
    }
  }

  private traceSignature(thisArg: unknown): CallableConcreteFunction {
    if (this.signatureTrace.fn === undefined) {
      const type = encodeArgs(this.signature!, this.name, this.paramNames(this.signature!.length));
      const fn = this.trace(thisArg, type, type.dims, this.signature!);
      this.signatureTrace.fn = fn;
      this.reasons.set(fn, { concreteFunction: fn, kind: "inputSignature", changes: [], relaxed: [], message: "traced once for the inputSignature" });
    }
    return this.signatureTrace.fn;
  }

  private trace(thisArg: unknown, type: FunctionType, dims: readonly Shape[], args: readonly unknown[]): CallableConcreteFunction {
    const concrete = traceFunction({
      fn: this.pythonFunction,
      thisArg: this.boundThis ?? thisArg,
      name: this.name,
      type,
      dims,
      args,
      paramNames: this.paramNames(type.params.length),
      allowVariableCreation: !this.traced,
    });
    this.traced = true;
    return makeCallable(concrete, (...callArgs: unknown[]) => this.callConcrete(concrete, callArgs));
  }

  /**
   * A concrete function called directly (SPEC B12): it never retraces; JS-valued parameters
   * are pinned to their traced values and may be left out (`bindConcreteCall`).
   */
  private callConcrete(concrete: ConcreteFunction, args: readonly unknown[]): unknown {
    if (this.signature !== undefined) {
      const conformed = conformToSignature(args, this.signature, this.name);
      try {
        return concrete.callFlat(this.flatOf(conformed.args));
      } finally {
        releaseConformed(conformed);
      }
    }
    return concrete.callFlat(bindConcreteCall(concrete, args, this.signatureParameters(concrete), this.name));
  }

  /** The flat tensors of arguments conformed to the inputSignature, in canonical order. */
  private flatOf(conformed: Conformed["args"]): (Tensor | Variable)[] {
    return encodeArgs(conformed, this.name, this.paramNames(conformed.length)).flat as (Tensor | Variable)[];
  }

  /** Binds call arguments to parameters: missing ones take their literal defaults (SPEC C6). */
  private bindArgs(args: readonly unknown[]): unknown[] {
    const params = this.params ?? [];
    if (args.length >= params.length && args.at(-1) !== undefined && !args.includes(undefined)) return args as unknown[];
    const fixed = params.filter((p) => !p.rest).length;
    const bound = Array.from({ length: Math.max(args.length, fixed) }, (_, i) => {
      const param = i < fixed ? params[i] : undefined;
      return args[i] === undefined && param?.literalDefault !== undefined ? param.literalDefault.value : args[i];
    });
    // An omitted trailing argument and an explicit `undefined` mean the same in JS.
    while (bound.length > 0 && bound.at(-1) === undefined) bound.pop();
    return bound;
  }

  /**
   * The name of each of `count` arguments (a rest parameter's elements are `xs_0`, `xs_1`,
   * ...), cached: every call needs them for its cache key.
   */
  private paramNames(count: number): string[] {
    let names = this.namesByCount.get(count);
    if (names === undefined) this.namesByCount.set(count, (names = argumentNames(this.params, count)));
    return names;
  }

  private readonly namesByCount = new Map<number, string[]>();

  /** The parameters of a concrete function as signatures name them. */
  private signatureParameters(concrete: ConcreteFunction): SignatureParameter[] {
    const fixed = (this.params ?? []).filter((p) => !p.rest).length;
    return this.paramNames(concrete.functionType.params.length).map((name, i) => ({
      name,
      kind: i < fixed ? "POSITIONAL_OR_KEYWORD" : "POSITIONAL_ONLY",
    }));
  }
}

/** Whether `args` are tensors of exactly the dtypes and shapes of `types`. */
function sameTensorTypes(args: readonly unknown[], types: readonly { readonly dtype: string; readonly shape: readonly (number | null)[] }[]): boolean {
  if (args.length !== types.length) return false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!(arg instanceof Tensor)) return false;
    const want = types[i]!;
    if (arg.dtype !== want.dtype) return false;
    const shape = arg.shape;
    const expected = want.shape;
    if (shape === expected) continue;
    if (shape.length !== expected.length) return false;
    for (let j = 0; j < shape.length; j++) if (shape[j] !== expected[j]) return false;
  }
  return true;
}
