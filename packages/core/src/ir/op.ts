import type { DType } from "../base/dtype.js";
import { ArgumentError } from "../base/errors.js";
import type { ConcreteShape, Shape } from "../base/shape.js";
import type { LibraryFunction } from "./func_graph.js";
import { partialValue } from "./partial_value.js";
import type { ScalarKernel } from "./scalar.js";

/** What an op's inputs and outputs look like to shape inference: a shape and a dtype. */
export interface ValueInfo {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** A value whose shape is fully known (what kernels and plans with static shapes see). */
export type ConcreteInfo = ValueInfo & { readonly shape: ConcreteShape };

/** Attribute values are plain data so graphs serialize to JSON. */
export type AttrValue = number | string | boolean | null | DType | readonly AttrValue[] | { readonly [key: string]: AttrValue };

/** An op's attributes. Each op narrows this with its own interface. */
export type Attrs = { readonly [key: string]: AttrValue | undefined };

/**
 * How a kernel touches its data; backends and the optimizer use it to group ops
 * (elementwise ops fuse, reductions end a fusion cluster, ...).
 */
export type KernelFamily = "elementwise" | "reduction" | "contraction" | "movement" | "creation" | "opaque";

/**
 * One op's whole definition. `name` is TensorFlow's raw op name (`AddV2`, `MatMul`);
 * `api` is the public function users call (`add`, `matMul`) and is what errors name.
 * `infer` validates the inputs and attrs and returns the output shapes and dtypes: it
 * is the single place where bad input is rejected, for eager calls and traced calls alike.
 */
export interface OpDef<A extends object = Attrs> {
  readonly name: string;
  readonly api: string;
  readonly family: KernelFamily;
  /** Input names, or `variadic` for ops like `ConcatV2` that take any number of tensors. */
  readonly inputs: readonly string[] | "variadic";
  readonly infer: (inputs: readonly ValueInfo[], attrs: A) => ValueInfo[];
  /** Stateful ops (variable writes, printing, random) are never folded, deduplicated or pruned. */
  readonly stateful?: boolean;
  /**
   * The gradient rule, written with public ops so it runs eagerly or emits graph nodes:
   * given the upstream gradient of each output (`null` where none flows), return the
   * gradient of each input (`null` where the input gets none). `"none"` for ops with no
   * gradient (integer math, comparisons, argMax, graph plumbing): the tape never records
   * them. Required, so an op cannot be added without deciding.
   */
  readonly grad: GradFn<A> | "none";
  /**
   * For elementwise ops: what one output element is, as data (`ir/scalar.ts`), one kernel
   * per supported input-dtype combination, or a function of the attrs choosing them (Cast,
   * Gelu). Backends render it (JS, C, WGSL) into loops and fused kernels.
   */
  readonly scalar?: readonly ScalarKernel[] | ((attrs: A) => readonly ScalarKernel[]);
  /**
   * For ops the runtime executes itself instead of a backend kernel: graph
   * inputs, constants, aliases of their input, and host-run ops (calls, `If`, `While`,
   * `PrintV2`, variable reads and writes).
   */
  readonly execution?: OpExecution;
  /**
   * Attrs the op may also take as int32 tensor inputs (TF's shape tensors), listed after its
   * other inputs and optional: `tf.fill(tf.shape(x), 1)` passes the shape as an input where
   * `tf.fill([2, 3], 1)` passes it as an attr. Core resolves them: eagerly and from constants
   * at trace time into the attr (so kernels always see attrs); otherwise the op stays in the
   * graph with the input, `infer` sees the attr with `null` entries (unknown values), and the
   * plan reads the input on the host before running the kernel with the resolved attr.
   */
  readonly attrInputs?: readonly AttrInput[];
  /**
   * The input whose buffer output 0 may take over (TF's `forward_input`): same dtype and
   * size. A plan offers that buffer as the kernel's output when nothing reads the input
   * afterwards, and the kernel then writes only what changes (`SetRow` writes one row).
   * Kernels must still work on a fresh output (a copy of the input plus the change).
   */
  readonly inPlace?: number;
}

/** One attr an op may take as a tensor input (see `OpDef.attrInputs`). */
export interface AttrInput {
  readonly attr: string;
  readonly input: number;
  /** A scalar value (a depth, a range bound) rather than a list (a shape). */
  readonly scalar: boolean;
}

/**
 * `attrs` with each attr input's value filled in from `values` (one entry per attr input, in
 * order): the numbers, or, for a value not known yet, `null` (a scalar) or a list of `null`
 * of the input's static length (a shape whose dims are unknown).
 *
 * ```ts
 * withAttrInputs(Fill, { value: 1, dtype: "float32" }, [[2, 3]]); // { ..., shape: [2, 3] }
 * ```
 */
export function withAttrInputs(op: AnyOpDef, attrs: object, values: readonly (readonly (number | null)[] | undefined)[], inputs: readonly ValueInfo[]): Attrs {
  const resolved: Record<string, unknown> = { ...attrs };
  op.attrInputs!.forEach((spec, k) => {
    const value = values[k];
    if (spec.scalar) resolved[spec.attr] = value?.[0] ?? null;
    else resolved[spec.attr] = value === undefined ? new Array(inputs[spec.input]?.shape[0] ?? 0).fill(null) : [...value];
  });
  return resolved as Attrs;
}

/**
 * Shape inference for an operation: `op.infer`, with its attr inputs (when given) resolved
 * from what is known of their values (`values`, or what the graph knows: `partialValue`).
 *
 * ```ts
 * inferOp(Reshape, [x, shapeOfX], {}); // [{ shape: [null, 3], dtype }] for x: float32[?, 3]
 * ```
 */
export function inferOp(op: AnyOpDef, inputs: readonly ValueInfo[], attrs: object, values?: readonly (readonly (number | null)[] | undefined)[]): ValueInfo[] {
  const arity = kernelArity(op);
  if (arity === undefined || inputs.length <= arity) return op.infer(inputs, attrs);
  const known = values ?? op.attrInputs!.map((spec) => partialValue(inputs[spec.input]!));
  return op.infer(inputs, withAttrInputs(op, attrs, known, inputs));
}

/** The number of inputs before the first attr input: the inputs kernels receive. */
export function kernelArity(op: AnyOpDef): number | undefined {
  return op.attrInputs?.[0]?.input;
}

/**
 * How the runtime executes an op itself:
 * - `input`: a graph input (Placeholder); its slot is filled by the caller.
 * - `constant`: a literal (Const), uploaded once per plan.
 * - `alias`: output 0 is input 0's value (Identity, StopGradient, CustomGradient): no work.
 * - `host`: run by `run`, a `HostRun` of the plan layer (`plan/execution.ts`) that may yield
 *   host reads (or returns its results directly); its argument and result types live there,
 *   above this layer (like `GradArgs`' tensor type, they are left open here).
 */
export type OpExecution =
  | { readonly kind: "input" }
  | { readonly kind: "constant" }
  | { readonly kind: "alias" }
  /** Output 0 is input 0's buffer with the op's output shape (Reshape, ExpandDims, Squeeze): no work. */
  | { readonly kind: "view" }
  | {
      readonly kind: "host";
      readonly run: (args: any) => Generator<any, any[], any> | any[];
      /** The output shapes for inputs of these shapes (for ops whose `infer` leaves dims to data, like calls). */
      readonly outputShapes?: (inputs: readonly Shape[], attrs: any, library: { get(name: string): LibraryFunction | undefined }) => Shape[];
      /** The inputs (variables' resources) the op may assign. */
      readonly writes?: (attrs: any, library: { get(name: string): LibraryFunction | undefined }) => ReadonlySet<number>;
      /**
       * Whether a run of the op may need a host read (so a plan holding it needs an
       * asynchronous driver on an async-only backend): `false` for ops that never read
       * (variable ops), or decided per op and backend (an `If` the backend can predicate).
       * Absent: it may.
       */
      readonly reads?: false | ((attrs: any, library: { get(name: string): LibraryFunction | undefined }, backend: any, registry: any) => boolean);
    };

/**
 * The scalar semantics of an elementwise op for its input dtypes, output dtype and attrs,
 * or undefined when it has none (not elementwise, or an unsupported dtype combination).
 *
 * ```ts
 * scalarKernelOf(AddV2, ["int32", "int32"], "int32", {})?.body; // add(arg0, arg1), wrapping
 * ```
 */
export function scalarKernelOf(op: AnyOpDef, inputs: readonly DType[], output: DType, attrs: object): ScalarKernel | undefined {
  const scalar = op.scalar;
  if (scalar === undefined) return undefined;
  const kernels = typeof scalar === "function" ? scalar(attrs) : scalar;
  return kernels.find((k) => k.body.dtype === output && k.args.length === inputs.length && k.args.every((d, i) => d === inputs[i]));
}

/**
 * What a gradient rule receives. The tensor type is left open here (the IR layer sits
 * below tensors); rules in the ops layer see `Tensor`.
 */
export interface GradArgs<A, T = any> {
  readonly inputs: readonly T[];
  readonly outputs: readonly T[];
  /** Upstream gradients, one per output; `null` where no gradient flows. */
  readonly dys: readonly (T | null)[];
  readonly attrs: A;
  /**
   * Which inputs need a gradient (TF's `skip_input_indices`, inverted); absent means all.
   * A rule may return `null` for the others instead of computing them.
   */
  readonly needs?: readonly boolean[];
  /**
   * Differentiates a computation with a fresh tape: what the rules of ops that run graphs
   * (calls, `If`, `While`, custom gradients) use on the graphs they replay. Supplied by the
   * tape machinery, which sits above the layers where those ops are defined.
   */
  readonly differentiate: Differentiate<T>;
}

/**
 * The gradients of what `compute` returns with respect to `sources`, weighted by `dys`
 * (one per returned tensor; `null` where none flows), recorded on a fresh tape that
 * watches `sources`. A source the results do not depend on gets `null`.
 *
 * ```ts
 * const [dx] = args.differentiate(() => [x.square()], [x], [dy]);
 * ```
 */
export type Differentiate<T = any> = (compute: () => readonly T[], sources: readonly T[], dys: readonly (T | null)[]) => (T | null)[];

/** A gradient rule: one gradient (or `null`) per input. */
export type GradFn<A = any, T = any> = (args: GradArgs<A, T>) => (T | null)[];

/** An op definition with its attribute type erased, as stored in tables and graphs. */
export type AnyOpDef = OpDef<any>;

/**
 * Declares an op. Core declares all its ops this way; users declare custom ops the same
 * way and add kernels with `registerKernel`.
 *
 * ```ts
 * const Cube = tf.defineOp<{}>({
 *   name: "Cube", api: "cube", family: "elementwise", inputs: ["x"],
 *   infer: ([x]) => [x!], grad: "none",
 * });
 * ```
 */
export function defineOp<A extends object>(def: OpDef<A>): OpDef<A> {
  if (typeof def.grad !== "function" && def.grad !== "none") {
    throw new ArgumentError(`defineOp: op ${def.name} must say how it is differentiated: grad is a rule (a function) or "none", received ${typeof def.grad}`);
  }
  if (!/^[A-Z][A-Za-z0-9_]*$/.test(def.name)) {
    throw new ArgumentError(
      `defineOp: op name ${JSON.stringify(def.name)} must be CamelCase like TensorFlow's raw op names (e.g. "AddV2")`,
    );
  }
  return Object.freeze({ ...def });
}

/** Checks an op was given the number of inputs it declares (its attr inputs are all given, or none). */
export function checkArity(op: AnyOpDef, count: number): void {
  if (op.inputs === "variadic") return;
  const withoutAttrInputs = kernelArity(op);
  if (op.inputs.length !== count && withoutAttrInputs !== count) {
    const expected = withoutAttrInputs === undefined ? `${op.inputs.length}` : `${withoutAttrInputs} or ${op.inputs.length}`;
    throw new ArgumentError(`${op.api}: expected ${expected} input(s) (${op.inputs.join(", ")}), received ${count}`);
  }
}
