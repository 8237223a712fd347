import { ArgumentError, formatShape } from "../../base/errors.js";
import type { Shape } from "../../base/shape.js";
import { toOwnedTensor, toTensor } from "../../ops/convert.js";
import { asTensor, type TensorLike } from "../../tensor/convert.js";
import type { Tensor } from "../../tensor/tensor.js";
import { getRuntime } from "../../trace/runtime.js";
import { flattenStructure } from "../structure.js";
import { traceSubgraph } from "../subgraph.js";
import { Variable } from "../variable.js";
import { anyStateful } from "./cond.js";
import { StatelessWhile, While, type WhileAttrs } from "./ops.js";
import { ControlFlowError } from "./structure_check.js";
import { stageEagerly } from "./staging.js";
import { TensorArray } from "./tensor_array.js";

/** Options of `tf.whileLoop`. */
export interface WhileOptions {
  /** Per loop variable, the shape it may take across iterations (`null` dims vary); default: its initial shape. */
  readonly shapeInvariants?: readonly (Shape | null | undefined)[];
  /** Stop after this many iterations even if the condition still holds. */
  readonly maximumIterations?: number;
  /** Names of the loop variables, for error messages (AutoGraph passes variable names). */
  readonly names?: readonly string[];
}

function fits(shape: Shape, invariant: Shape): boolean {
  return shape.length === invariant.length && invariant.every((d, i) => d === null || d === shape[i]);
}

function readCondition(value: unknown): boolean {
  const t = asTensor(value);
  if (t === undefined) return Boolean(value);
  if (t.dtype !== "bool" || t.size !== 1) {
    throw new ControlFlowError(
      `whileLoop: the condition must be a boolean scalar, received a tensor of dtype ${t.dtype} and shape ${formatShape(t.shape)}`,
    );
  }
  return t.dataSync()[0] !== 0;
}

/**
 * Repeats `body` while `cond` holds, threading the loop variables through. Eagerly it is a
 * JS loop; while tracing it becomes one `While` op whose condition and body are sub-graphs
 * traced once (SPEC G1, G4), so the loop runs any number of times without retracing.
 *
 * ```ts
 * const [i, total] = tf.whileLoop((i) => tf.less(i, 10), (i, t) => [i.add(1), t.add(i)], [tf.scalar(0), tf.scalar(0)]);
 * ```
 */
export function whileLoop(
  cond: (...vars: Tensor[]) => unknown,
  body: (...vars: Tensor[]) => unknown,
  loopVars: readonly (TensorLike | TensorArray)[],
  options: WhileOptions = {},
): Tensor[] {
  if (typeof cond !== "function" || typeof body !== "function") {
    throw new ArgumentError(`whileLoop: cond and body must be functions, received ${typeof cond} and ${typeof body}`);
  }
  if (!Array.isArray(loopVars)) {
    throw new ArgumentError(
      `whileLoop: loopVars must be an array of tensors (the loop's initial values), received ${loopVars === null ? "null" : typeof loopVars}`,
    );
  }
  // TensorArrays travel through the loop as their buffer tensor and are rebuilt on each side.
  const arrays = loopVars.map((v) => (v instanceof TensorArray ? v : undefined));
  if (arrays.some((a) => a !== undefined)) {
    const rebuild = (vars: readonly unknown[]) =>
      vars.map((v, i) =>
        arrays[i] === undefined
          ? v
          : new TensorArray({ dtype: arrays[i]!.dtype, size: 0, dynamicSize: arrays[i]!.dynamicSize }, v as Tensor),
      );
    const flatten = (vars: unknown) => (Array.isArray(vars) ? vars : [vars]).map((v) => (v instanceof TensorArray ? v.stack() : v));
    const flat = loopVars.map((v) => (v instanceof TensorArray ? v.stack() : v));
    // A growing array changes its row count from one iteration to the next.
    const invariants = loopVars.map((v, i) =>
      v instanceof TensorArray && v.dynamicSize ? [null, ...(asTensor(flat[i])?.shape.slice(1) ?? [])] : options.shapeInvariants?.[i],
    );
    const result = whileLoop(
      (...vars) => cond(...(rebuild(vars) as Tensor[])),
      (...vars) => flatten(body(...(rebuild(vars) as Tensor[]))),
      flat,
      { ...options, shapeInvariants: invariants },
    );
    return rebuild(result) as Tensor[];
  }
  const name = (i: number) => (options.names?.[i] === undefined ? `loop variable ${i}` : `'${options.names[i]}'`);
  const max = options.maximumIterations;
  if (max !== undefined && (!Number.isInteger(max) || max < 0))
    throw new ArgumentError(`whileLoop: maximumIterations must be a non-negative integer, received ${max}`);
  loopVars.forEach((v, i) => {
    if (v === undefined) throw new ControlFlowError(`${name(i)} must be defined before the loop`);
  });
  const runtime = getRuntime();
  const given = loopVars.map((v) => asTensor(v));
  // Inside a trace a loop is always one While op, as in TF: its condition or body may read
  // traced values even when every loop variable starts as a JS value or an eager tensor.
  const symbolic = runtime.graphTrace() !== undefined || given.some((t) => t?.isSymbolic === true);
  if (!symbolic) {
    if (runtime.backends.active().caps.reads === "sync" && given.every((t) => t === undefined || t.canReadSync)) {
      return eagerLoop(cond, body, given, loopVars as readonly TensorLike[], max, name);
    }
    // Conditions on an async-only backend cannot be read in a JS loop: run the loop as a staged call.
    const initial = given.map((t, i) => t ?? toTensor(loopVars[i] as TensorLike, "whileLoop", `loopVars[${i}]`));
    return stageEagerly("whileLoop", (...vars) => whileLoop(cond, body, vars, options), initial);
  }
  const vars = given.map((t, i) => t ?? toTensor(loopVars[i] as TensorLike, "whileLoop", `loopVars[${i}]`));
  const params = vars.map((v, i) => {
    const invariant = options.shapeInvariants?.[i] ?? v.shape;
    if (!fits(v.shape, invariant))
      throw new ControlFlowError(
        `${name(i)} has shape ${formatShape(v.shape)}, which does not fit its shape invariant ${formatShape(invariant)}`,
      );
    return { shape: invariant, dtype: v.dtype, name: options.names?.[i] ?? `loop_var_${i}` };
  });
  const condGraph = traceSubgraph("while_cond", params, (args) => cond(...args));
  const [c] = condGraph.outputs;
  if (condGraph.outputs.length !== 1 || c === undefined || c.dtype !== "bool" || (c.shape.length !== 0 && !c.shape.every((d) => d === 1))) {
    throw new ControlFlowError(
      `whileLoop: the condition must return a boolean scalar tensor, received ${c === undefined ? "no tensor" : `dtype ${c.dtype} and shape ${formatShape(c.shape)}`}`,
    );
  }
  const bodyGraph = traceSubgraph("while_body", params, (args) => checkBody(body(...args), args, name, "after one iteration", params));
  const def = anyStateful([condGraph, bodyGraph]) ? While : StatelessWhile;
  const captured: object[] = [];
  const indices = [condGraph, bodyGraph].map((g) =>
    g.captured.map((v) => (captured.includes(v) ? captured.indexOf(v) : captured.push(v) - 1) + vars.length),
  );
  const extra = captured.map((v) => (v instanceof Variable ? v.resource(def) : (v as Tensor)));
  const attrs: WhileAttrs = {
    cond: condGraph.name,
    body: bodyGraph.name,
    numLoopVars: vars.length,
    condInputs: indices[0]!,
    bodyInputs: indices[1]!,
    maximumIterations: max ?? null,
    Tout: params.map((p) => ({ shape: p.shape, dtype: p.dtype })),
  };
  const library = runtime.graphTrace()!.graph.library;
  library.set(condGraph.name, condGraph);
  library.set(bodyGraph.name, bodyGraph);
  return runtime.trace.bind(def, [...vars, ...extra], attrs);
}

/**
 * The eager loop: a JS loop over the loop values. Tensors the condition and the body
 * create are freed once they are no longer loop values (a traced loop could not use
 * them after the loop either; `tf.keep` one to hold on to it). Never freed: the caller's
 * initial values and tensors the body returns without creating them.
 */
function eagerLoop(
  cond: (...vars: Tensor[]) => unknown,
  body: (...vars: Tensor[]) => unknown,
  given: readonly (Tensor | undefined)[],
  loopVars: readonly TensorLike[],
  max: number | undefined,
  name: (i: number) => string,
): Tensor[] {
  const tracker = getRuntime().tracker;
  // Loop values this loop created (and so may free once they are replaced).
  let created = new Set<Tensor>();
  let current = given.map((t, i) => {
    if (t !== undefined) return t;
    // Owned, not single-use: a loop value is read by every iteration.
    const made = toOwnedTensor(loopVars[i]!, "whileLoop", `loopVars[${i}]`);
    created.add(made);
    return made;
  });
  try {
    for (let i = 0; max === undefined || i < max; i++) {
      const condScope = tracker.openScope();
      let go: boolean;
      try {
        go = readCondition(cond(...current));
      } finally {
        tracker.closeScope(condScope, []);
      }
      if (!go) break;
      const bodyScope = tracker.openScope();
      let next: Tensor[];
      try {
        next = checkBody(body(...current), current, name, "after one iteration");
      } catch (error) {
        tracker.closeScope(bodyScope, []);
        throw error;
      }
      const made = new Set(next.filter((t) => bodyScope.has(t) || created.has(t)));
      tracker.closeScope(bodyScope, made);
      for (const t of created) if (!made.has(t)) t.dispose();
      created = made;
      current = next;
    }
  } catch (error) {
    for (const t of created) t.dispose();
    throw error;
  }
  return current;
}

/** Checks one iteration's result against the loop variables (SPEC G6) and returns it as tensors. */
function checkBody(
  result: unknown,
  before: readonly Tensor[],
  name: (i: number) => string,
  when: string,
  params?: readonly { shape: Shape }[],
): Tensor[] {
  const next = (Array.isArray(result) ? result : [result]).map((v) => (v instanceof Variable ? v.readForOp() : v));
  if (next.length !== before.length || flattenStructure(next).length !== before.length) {
    throw new ControlFlowError(
      `whileLoop: the body must return ${before.length} loop variable(s) (the same structure it received), but returned ${next.length}`,
    );
  }
  return next.map((v, i) => {
    // Owned, not single-use: the value is read by the next iteration (eagerly, a tidy scope owns it).
    const t =
      asTensor(v) ?? (v === undefined ? undefined : toOwnedTensor(v as TensorLike, "whileLoop", `body result ${i}`, before[i]!.dtype));
    if (t === undefined) throw new ControlFlowError(`${name(i)} is undefined ${when}; every loop variable must keep a value`);
    if (t.dtype !== before[i]!.dtype)
      throw new ControlFlowError(`${name(i)} has dtype ${before[i]!.dtype} before the loop, but dtype ${t.dtype} ${when}`);
    const invariant = params?.[i]?.shape;
    if (invariant !== undefined && !fits(t.shape, invariant)) {
      throw new ControlFlowError(
        `${name(i)} has shape ${formatShape(before[i]!.shape)} before the loop, but shape ${formatShape(t.shape)} ${when}; ` +
          `pass shapeInvariants (with null for the dims that change) to allow it`,
      );
    }
    return t;
  });
}
