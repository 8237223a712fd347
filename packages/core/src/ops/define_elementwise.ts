import type { DType } from "../base/dtype.js";
import { ArgumentError, DTypeError, formatShape, ShapeError } from "../base/errors.js";
import { broadcastShapes, type Shape } from "../base/shape.js";
import { defineOp, type GradFn, type OpDef, type ValueInfo } from "../ir/op.js";
import { type ScalarExpr, type ScalarKernel, scalarKernel } from "../ir/scalar.js";

/** Dtype groups for op declarations. */
export const NUMERIC: readonly DType[] = ["float32", "int32"];
export const FLOAT: readonly DType[] = ["float32"];
export const ALL: readonly DType[] = ["float32", "int32", "bool"];
export const BOOL: readonly DType[] = ["bool"];

/**
 * Rejects a dtype outside `allowed`, naming the op. `hint` is appended to the message
 * when the fix is not obvious (e.g. "integers are already rounded").
 */
export function checkInputDType(api: string, argName: string, info: ValueInfo, allowed: readonly DType[], hint?: string): void {
  if (!allowed.includes(info.dtype)) {
    throw new DTypeError(
      `${api}: argument '${argName}' has dtype ${info.dtype}, but ${api} accepts ${allowed.join(" or ")}${hint === undefined ? "" : `; ${hint}`}`,
    );
  }
}

/** Options shared by the elementwise op declarations. */
export interface ElementwiseOptions {
  /** Dtype of the output; defaults to the input dtype (comparisons say `bool`). */
  readonly outDtype?: DType;
  /** Appended to the dtype error message, to say what to do instead. */
  readonly hint?: string;
  /** The gradient rule (`OpDef.grad`), or "none" (comparisons, rounding, logic). */
  readonly grad: GradFn<{}> | "none";
  /**
   * What one output element is, written with the scalar functions of `ir/scalar.ts`; called
   * once per accepted dtype with argument nodes of that dtype (`OpDef.scalar`).
   */
  readonly scalar: (...xs: ScalarExpr[]) => ScalarExpr;
}

/**
 * The op's scalar kernels: `body` applied to arguments of each accepted dtype. A body whose
 * result dtype is not the op's output dtype is a bug in the table, reported at load time.
 */
export function elementwiseKernels(name: string, dtypes: readonly DType[], arity: number, outDtype: DType | undefined, body: (...xs: ScalarExpr[]) => ScalarExpr): ScalarKernel[] {
  return dtypes.map((dtype) => {
    const kernel = scalarKernel(new Array<DType>(arity).fill(dtype), body);
    const expected = outDtype ?? dtype;
    if (kernel.body.dtype !== expected) {
      throw new ArgumentError(`${name}: the scalar semantics for ${dtype} produce ${kernel.body.dtype}, but the op outputs ${expected}`);
    }
    return kernel;
  });
}

/**
 * Declares a one-input elementwise op: the output has the input's shape and either the
 * input's dtype or `outDtype` (e.g. `bool` for `IsNan`).
 *
 * ```ts
 * export const Neg = defineUnary("Neg", "neg", NUMERIC, { scalar: (x) => s.neg(x), grad: (args) => negGrad(args) });
 * export const Floor = defineUnary("Floor", "floor", FLOAT, { scalar: (x) => s.floor(x), grad: "none" });
 * ```
 */
export function defineUnary(name: string, api: string, dtypes: readonly DType[], options: ElementwiseOptions): OpDef<{}> {
  const { outDtype, hint, grad } = options;
  return defineOp<{}>({
    name,
    api,
    family: "elementwise",
    grad,
    scalar: elementwiseKernels(name, dtypes, 1, outDtype, options.scalar),
    inputs: ["x"],
    infer: ([x]) => {
      checkInputDType(api, "x", x!, dtypes, hint);
      return [{ shape: x!.shape, dtype: outDtype ?? x!.dtype }];
    },
  });
}

/** Checks that two operands share a dtype, naming the op and how to fix it. */
export function checkSameDType(api: string, a: ValueInfo, b: ValueInfo, names = ["a", "b"]): void {
  if (a.dtype !== b.dtype) {
    throw new DTypeError(
      `${api}: '${names[0]}' and '${names[1]}' must have the same dtype, received ${a.dtype} and ${b.dtype}; convert one with tf.cast`,
    );
  }
}

/**
 * Declares a two-input broadcasting elementwise op. Both inputs must share a dtype from
 * `dtypes`; the output has the broadcast shape and the input dtype or `outDtype`.
 *
 * ```ts
 * export const AddV2 = defineBinary("AddV2", "add", NUMERIC, { scalar: (a, b) => s.add(a, b), grad: (args) => addGrad(args) });
 * export const Less = defineBinary("Less", "less", NUMERIC, { outDtype: "bool", scalar: (a, b) => s.lt(a, b), grad: "none" });
 * ```
 */
export function defineBinary(name: string, api: string, dtypes: readonly DType[], options: ElementwiseOptions): OpDef<{}> {
  const { outDtype, hint, grad } = options;
  return defineOp<{}>({
    name,
    api,
    family: "elementwise",
    grad,
    scalar: elementwiseKernels(name, dtypes, 2, outDtype, options.scalar),
    inputs: ["x", "y"],
    infer: ([x, y]) => {
      checkInputDType(api, "a", x!, dtypes, hint);
      checkInputDType(api, "b", y!, dtypes, hint);
      checkSameDType(api, x!, y!);
      return [{ shape: broadcastShapes(x!.shape, y!.shape, api), dtype: outDtype ?? x!.dtype }];
    },
  });
}

/**
 * Broadcasts any number of shapes together. The error names every shape involved, so a
 * three-way broadcast (`where`) does not report an intermediate shape the user never wrote.
 *
 * ```ts
 * broadcastAll("where", [[2, 1], [3], []], ["condition", "a", "b"]); // [2, 3]
 * ```
 */
export function broadcastAll(api: string, shapes: readonly Shape[], names: readonly string[]): (number | null)[] {
  try {
    return shapes.reduce<(number | null)[]>((acc, s) => broadcastShapes(acc, s, api), []);
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    const listed = shapes.map((s, i) => `'${names[i]}' ${formatShape(s)}`).join(", ");
    throw new ShapeError(`${api}: shapes ${listed} cannot be broadcast together; each dimension must be equal across them or 1`);
  }
}
