import type { DType } from "../../base/dtype.js";
import { ArgumentError, DTypeError, formatShape, ShapeError } from "../../base/errors.js";
import type { Shape } from "../../base/shape.js";
import { defineOp, type ValueInfo } from "../../ir/op.js";
import { shapeFits } from "../../ir/verify_subgraphs.js";
import { show } from "../../ops/movement_args.js";
import { checkFunctionName, checkInputIndices, checkOutputTypes } from "../subgraph_attrs.js";
import { ifGradient } from "./cond_grad.js";
import { canPredicate } from "./predication.js";
import { executeIf } from "./run_if.js";
import { executeWhile } from "./run_while.js";
import { whileGradient } from "./while_grad.js";

/** Output types of a control-flow op, as plain data. */
export type OutputTypes = readonly { readonly shape: Shape; readonly dtype: DType }[];

/**
 * Attributes of `If`: the branches (names in the graph's library), which of the op's
 * inputs (after the predicate) each branch takes, and the output types.
 */
export interface IfAttrs {
  readonly thenBranch: string;
  readonly elseBranch: string;
  readonly thenInputs: readonly number[];
  readonly elseInputs: readonly number[];
  readonly Tout: OutputTypes;
}

/**
 * `If`'s attributes against its inputs, by the rules `tf.cond` traces with: a bool
 * predicate of one element first, branch names, branch input indices past the predicate,
 * and the output types. That the branches take those inputs and return those types is
 * `verifyGraph`'s part (it sees the library).
 *
 * ```ts
 * inferIf([pred, x], { thenBranch: "t", elseBranch: "e", thenInputs: [1], elseInputs: [], Tout }); // Tout
 * ```
 */
export function inferIf(inputs: readonly ValueInfo[], attrs: IfAttrs): ValueInfo[] {
  const pred = inputs[0];
  if (pred === undefined) throw new ArgumentError("cond: the If op takes the predicate as input 0, received no inputs");
  if (pred.dtype !== "bool") throw new DTypeError(`cond: the predicate (input 0) must be a bool tensor, received dtype ${pred.dtype}`);
  if (pred.shape.every((d) => d !== null) && pred.shape.reduce((a, b) => a * (b as number), 1) !== 1)
    throw new ShapeError(`cond: the predicate (input 0) must have one element, received shape ${formatShape(pred.shape)}`);
  checkFunctionName(attrs.thenBranch, "cond", "thenBranch");
  checkFunctionName(attrs.elseBranch, "cond", "elseBranch");
  checkInputIndices(attrs.thenInputs, "cond", "thenInputs", 1, inputs.length);
  checkInputIndices(attrs.elseInputs, "cond", "elseInputs", 1, inputs.length);
  return checkOutputTypes(attrs.Tout, "cond");
}

function defineIf(name: string, stateful: boolean) {
  return defineOp<IfAttrs>({
    name,
    api: "cond",
    family: "opaque",
    inputs: "variadic",
    stateful,
    execution: {
      kind: "host",
      run: executeIf,
      // A predicated If needs no host read (see predication.ts).
      reads: (attrs: IfAttrs, library, backend, registry) => !canPredicate(attrs.thenBranch, attrs.elseBranch, library, backend, registry),
    },
    infer: inferIf,
    grad: (args) => ifGradient(args),
  });
}

/** Functional conditional: runs one of two sub-graphs (SPEC G1). */
export const If = defineIf("If", true);
/** `If` whose branches have no side effects. */
export const StatelessIf = defineIf("StatelessIf", false);

/**
 * Attributes of `While`: the condition and body sub-graphs, how many of the op's inputs
 * are loop variables (the rest are values both sub-graphs capture), which captured inputs
 * each sub-graph takes, and an optional iteration limit.
 */
export interface WhileAttrs {
  readonly cond: string;
  readonly body: string;
  readonly numLoopVars: number;
  readonly condInputs: readonly number[];
  readonly bodyInputs: readonly number[];
  readonly maximumIterations: number | null;
  readonly Tout: OutputTypes;
}

/**
 * `While`'s attributes against its inputs, by the rules `tf.whileLoop` traces with: the
 * first `numLoopVars` inputs are the loop variables and `Tout` gives each one's dtype and
 * shape invariant (its initial value must fit it); the condition and body take the loop
 * variables and then the inputs listed in `condInputs` / `bodyInputs` (indices past the
 * loop variables); `maximumIterations` is `null` or a non-negative integer. How the
 * sub-graphs fit is `verifyGraph`'s part.
 *
 * ```ts
 * inferWhile([i, n], { cond: "c", body: "b", numLoopVars: 1, condInputs: [1], bodyInputs: [], maximumIterations: null, Tout }); // Tout
 * ```
 */
export function inferWhile(inputs: readonly ValueInfo[], attrs: WhileAttrs): ValueInfo[] {
  const n = attrs.numLoopVars;
  if (!Number.isInteger(n) || n < 0 || n > inputs.length) {
    throw new ArgumentError(`whileLoop: 'numLoopVars' must be an integer from 0 to the op's ${inputs.length} inputs, received ${show(n)}`);
  }
  checkFunctionName(attrs.cond, "whileLoop", "cond");
  checkFunctionName(attrs.body, "whileLoop", "body");
  checkInputIndices(attrs.condInputs, "whileLoop", "condInputs", n, inputs.length);
  checkInputIndices(attrs.bodyInputs, "whileLoop", "bodyInputs", n, inputs.length);
  const max = attrs.maximumIterations;
  if (max !== null && !(Number.isInteger(max) && max >= 0))
    throw new ArgumentError(`whileLoop: 'maximumIterations' must be null or a non-negative integer, received ${show(max)}`);
  const types = checkOutputTypes(attrs.Tout, "whileLoop");
  if (types.length !== n)
    throw new ArgumentError(`whileLoop: 'Tout' must give one type per loop variable (${n}), received ${types.length}`);
  types.forEach((t, k) => {
    const v = inputs[k]!;
    if (v.dtype !== t.dtype || !shapeFits(v.shape, t.shape)) {
      throw new ShapeError(
        `whileLoop: loop variable ${k} is ${v.dtype}${formatShape(v.shape)}, which does not fit its type in 'Tout', ${t.dtype}${formatShape(t.shape)}`,
      );
    }
  });
  return types;
}

function defineWhile(name: string, stateful: boolean) {
  return defineOp<WhileAttrs>({
    name,
    api: "whileLoop",
    family: "opaque",
    inputs: "variadic",
    stateful,
    execution: { kind: "host", run: executeWhile },
    infer: inferWhile,
    grad: (args) => whileGradient(args),
  });
}

/** Functional loop: runs the body sub-graph while the condition sub-graph is true (SPEC G1). */
export const While = defineWhile("While", true);
/** `While` whose condition and body have no side effects. */
export const StatelessWhile = defineWhile("StatelessWhile", false);
