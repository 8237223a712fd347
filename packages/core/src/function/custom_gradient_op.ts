import { ArgumentError, KilnError } from "../base/errors.js";
import type { Graph } from "../ir/graph.js";
import { defineOp } from "../ir/op.js";
import { zerosLike } from "../ops/creation.js";
import { Tensor } from "../tensor/tensor.js";
import { replayGraph } from "./replay.js";

/** What `customGradient`'s body returns as its gradient function. */
export type GradFunc = (dy: Tensor, saved: Tensor[]) => Tensor | readonly (Tensor | null)[] | null;

/** Attributes of `CustomGradient`: the registry key of its gradient and how many of its inputs are the call's arguments. */
export interface CustomGradientAttrs {
  readonly id: string;
  readonly numInputs: number;
}

/**
 * The gradient of one traced `customGradient` call. `gradFunc` (with `saved` and the
 * symbolic `inputs` it closes over) is valid only in the graph where the call was traced;
 * `gradient` is the same function traced into a sub-graph whose inputs are `dy` and
 * what `gradFunc` captured, so it can be replayed anywhere the op's inputs are remapped
 * (the backward function of a call, a `While` gradient). `error` is why that trace failed.
 */
export interface CustomGradientEntry {
  readonly inputs: readonly Tensor[];
  readonly gradFunc: GradFunc;
  readonly saved: readonly Tensor[];
  readonly gradient?: { readonly graph: Graph; readonly present: readonly boolean[] };
  readonly error?: unknown;
}

// Gradients are found by the op's `id` attr from whichever graph the op is replayed in, so
// the registry is global. Entries are owned (strongly) by the graph that holds the op and
// referenced weakly here; an entry goes away with its graph. The random prefix keeps ids
// from colliding with those in graphs saved by another process and loaded here.
const owners = new WeakMap<object, CustomGradientEntry[]>();
const entries = new Map<string, WeakRef<CustomGradientEntry>>();
const cleanup = new FinalizationRegistry<string>((id) => entries.delete(id));
const prefix = Math.floor(Math.random() * 2 ** 32).toString(36);
let nextId = 0;

/** Registers a traced call's gradient, owned by `graph`; returns the id for the op's attrs. */
export function registerCustomGradient(graph: object, entry: CustomGradientEntry): string {
  const id = `${prefix}_${nextId++}`;
  let owned = owners.get(graph);
  if (owned === undefined) owners.set(graph, (owned = []));
  owned.push(entry);
  entries.set(id, new WeakRef(entry));
  cleanup.register(entry, id);
  return id;
}

/** `gradFunc`'s result as one gradient (or null) per input, checked like the eager path. */
export function gradientList(result: unknown, numInputs: number): (Tensor | null)[] {
  const list = (Array.isArray(result) ? result : [result]) as unknown[];
  if (list.length !== numInputs)
    throw new ArgumentError(`customGradient: gradFunc returned ${list.length} gradients for ${numInputs} inputs`);
  return list.map((g, i) => {
    if (g === null || g === undefined) return null;
    if (!(g instanceof Tensor)) throw new ArgumentError(`customGradient: gradFunc must return tensors, but gradient ${i} is ${typeof g}`);
    return g;
  });
}

/**
 * `CustomGradient`: a traced `tf.customGradient` call. Inputs are the body's value, the
 * call's arguments and the values its gradient function captured; the output is the value
 * (input 0, passed through like Identity). Its gradient rule runs the user's `gradFunc`.
 */
export const CustomGradient = defineOp<CustomGradientAttrs>({
  name: "CustomGradient",
  api: "customGradient",
  family: "opaque",
  inputs: "variadic",
  // The value passes through; the other inputs matter only to the gradient.
  execution: { kind: "alias" },
  infer: (inputs, attrs) => {
    if (typeof attrs.id !== "string" || !Number.isInteger(attrs.numInputs) || attrs.numInputs < 0) {
      throw new ArgumentError(
        `customGradient: the CustomGradient op needs a string 'id' and a non-negative integer 'numInputs', received ${JSON.stringify(attrs.id)} and ${JSON.stringify(attrs.numInputs)}`,
      );
    }
    if (inputs.length < 1 + attrs.numInputs) {
      throw new ArgumentError(
        `customGradient: the CustomGradient op needs the value and ${attrs.numInputs} argument(s), received ${inputs.length} input(s)`,
      );
    }
    return [inputs[0]!];
  },
  grad: ({ inputs, outputs, dys, attrs }) => {
    const entry = entries.get(attrs.id)?.deref();
    if (entry === undefined) {
      throw new KilnError(
        `customGradient: the gradient function of CustomGradient op '${attrs.id}' is not available: custom gradients are not saved with a function, ` +
          `so a loaded function cannot be differentiated through it; differentiate the original tf.function instead`,
      );
    }
    const n = attrs.numInputs;
    const args = (inputs as Tensor[]).slice(1, 1 + n);
    const dy = (dys[0] as Tensor | null) ?? zerosLike(outputs[0] as Tensor);
    let grads: (Tensor | null)[];
    if (args.every((x, i) => x === entry.inputs[i])) {
      // Recorded where it was traced: the closures of gradFunc are valid here.
      grads = gradientList(entry.gradFunc(dy, [...entry.saved]), n);
    } else {
      if (entry.gradient === undefined) throw entry.error;
      const flat = replayGraph(entry.gradient.graph, [dy, ...(inputs as Tensor[]).slice(1 + n)]);
      let next = 0;
      grads = entry.gradient.present.map((p) => (p ? flat[next++]! : null));
    }
    return [null, ...grads, ...inputs.slice(1 + n).map(() => null)];
  },
});
