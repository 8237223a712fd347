import type { DType } from "../../base/dtype.js";
import type { Shape } from "../../base/shape.js";
import { defineOp } from "../../ir/op.js";
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
    infer: (_inputs, attrs) => attrs.Tout.map((t) => ({ shape: t.shape, dtype: t.dtype })),
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

function defineWhile(name: string, stateful: boolean) {
  return defineOp<WhileAttrs>({
    name,
    api: "whileLoop",
    family: "opaque",
    inputs: "variadic",
    stateful,
    execution: { kind: "host", run: executeWhile },
    infer: (_inputs, attrs) => attrs.Tout.map((t) => ({ shape: t.shape, dtype: t.dtype })),
    grad: (args) => whileGradient(args),
  });
}

/** Functional loop: runs the body sub-graph while the condition sub-graph is true (SPEC G1). */
export const While = defineWhile("While", true);
/** `While` whose condition and body have no side effects. */
export const StatelessWhile = defineWhile("StatelessWhile", false);
