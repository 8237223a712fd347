// `[Symbol.dispose]` is in this file's declarations: consumers get its lib with them, whatever their own `lib`.
/// <reference lib="esnext.disposable" preserve="true" />
import { describeValue } from "../base/describe.js";
import { ArgumentError, KilnError } from "../base/errors.js";
import { flattenStructure, mapStructure } from "../function/structure.js";
import { Variable } from "../function/variable.js";
import { add } from "../ops/binary.js";
import { onesLike } from "../ops/creation.js";
import { Tensor } from "../tensor/tensor.js";
import { getRuntime } from "../trace/runtime.js";
import { backprop } from "./backprop.js";
import { Tape, TapeTrace } from "./tape.js";

/** Options of `new tf.GradientTape(options)`. */
export interface GradientTapeOptions {
  /** Allow several `gradient` calls (the tape keeps its record until dropped). */
  readonly persistent?: boolean;
  /** Watch trainable variables read while recording (default true). */
  readonly watchAccessedVariables?: boolean;
}

/**
 * Records computations so their gradients can be computed, like TF's GradientTape. Works
 * eagerly and inside a `tf.function` (where the gradient becomes graph ops, SPEC J2).
 *
 * ```ts
 * const tape = new tf.GradientTape();
 * const y = tape.record(() => { tape.watch(x); return x.square().sum(); });
 * const [dx] = tape.gradient(y, [x]); // 2 * x
 * ```
 */
export class GradientTape {
  readonly persistent: boolean;
  readonly #tape: Tape;
  #used = false;

  constructor(options: GradientTapeOptions = {}) {
    this.persistent = options.persistent ?? false;
    this.#tape = new Tape(options);
  }

  /** Watches tensors or variables (also nested arrays/objects of them) so gradients can flow to them. */
  watch(value: unknown): void {
    for (const leaf of flattenStructure(value)) {
      if (leaf instanceof Variable) this.#tape.watchVariable(leaf, leaf.readForOp());
      else if (leaf instanceof Tensor) this.#tape.watch(leaf);
      else throw new ArgumentError(`GradientTape.watch: expected tensors or variables, received ${typeof leaf}`);
    }
  }

  /** The distinct variables read (and so watched) while recording, in first-read order. */
  watchedVariables(): Variable[] {
    return [...new Set(this.#tape.variableReads.values())] as Variable[];
  }

  /** Runs `fn` while recording and returns its result. May be called several times. */
  record<T>(fn: () => T): T {
    const runtime = getRuntime();
    return runtime.withTrace(new TapeTrace(runtime.trace, this.#tape, differentiate), fn);
  }

  /**
   * Gradients of `target` (a tensor, or an array of them whose gradients add up) with
   * respect to `sources` (tensors, variables, or nested arrays/objects of them), in the
   * structure of `sources`. A source the target does not depend on gets `null`, like TF.
   * A non-scalar target needs `outputGradients`.
   */
  gradient<S>(target: Tensor | readonly Tensor[], sources: S, outputGradients?: Tensor | readonly (Tensor | null)[]): GradientsOf<S> {
    if (this.#used && !this.persistent) {
      throw new KilnError(
        "GradientTape.gradient: a non-persistent tape can compute gradients only once; create it with new tf.GradientTape({ persistent: true }) to call gradient() several times",
      );
    }
    const targets = Array.isArray(target) ? (target as readonly Tensor[]) : [target as Tensor];
    const given =
      outputGradients === undefined ? undefined : Array.isArray(outputGradients) ? outputGradients : [outputGradients as Tensor];
    if (given !== undefined && given.length !== targets.length) {
      throw new ArgumentError(`GradientTape.gradient: ${given.length} output gradients for ${targets.length} targets`);
    }
    targets.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new ArgumentError(`GradientTape.gradient: target ${i} must be a tensor computed inside the tape, received ${describeValue(t)}`);
      if (!this.#tape.knows(t)) {
        throw new ArgumentError(
          `GradientTape.gradient: target ${i} (shape [${t.shape.join(",")}]) was computed outside this tape, so no gradient can flow to it; compute it inside tape.record(() => ...)`,
        );
      }
      if (given === undefined && t.size !== 1) {
        throw new ArgumentError(
          `GradientTape.gradient: target ${i} has shape [${t.shape.join(",")}], not a scalar; reduce it first (e.g. tf.sum) or pass outputGradients of the same shape`,
        );
      }
    });
    const flatSources: Tensor[] = [];
    const plan = mapStructure(sources, (leaf, path) => {
      if (leaf instanceof Variable) {
        const reads = [...this.#tape.variableReads].filter(([, v]) => v === leaf).map(([t]) => t);
        flatSources.push(...reads);
        return new SourceReads(reads);
      }
      if (!(leaf instanceof Tensor))
        throw new ArgumentError(`GradientTape.gradient: source '${path || "sources"}' must be a tensor or variable, received ${describeValue(leaf)}`);
      if (!this.#tape.isWatched(leaf)) {
        throw new ArgumentError(
          `GradientTape.gradient: source '${path || "sources"}' (shape [${leaf.shape.join(",")}]) was not watched by this tape; call tape.watch(x) inside record() before computing with it, or use a trainable tf.Variable`,
        );
      }
      flatSources.push(leaf);
      return new SourceReads([leaf]);
    });
    this.#used = true;
    const runtime = getRuntime();
    const compute = () => {
      const live = targets.flatMap((t, i) => (given?.[i] === null ? [] : [{ t, g: given?.[i] ?? onesLike(t) }]));
      const grads = backprop(
        this.#tape.entries,
        live.map((x) => x.t),
        live.map((x) => x.g),
        flatSources,
      );
      const byTensor = new Map(flatSources.map((s, i) => [s, grads[i] ?? null]));
      return mapStructure(plan, (leaf) => {
        const parts = (leaf as SourceReads).tensors.map((r) => byTensor.get(r)).filter((g): g is Tensor => g !== null && g !== undefined);
        return parts.length === 0 ? null : parts.reduce((a, b) => add(a, b));
      });
    };
    try {
      // Eagerly, intermediates of the backward pass are freed; only the gradients survive.
      return (runtime.graphTrace() === undefined ? tidyKeep(compute) : compute()) as GradientsOf<S>;
    } finally {
      // A non-persistent tape lets go of what it retained, also when a gradient rule threw.
      if (!this.persistent) this.#tape.release();
    }
  }

  /** Releases what the tape retained (for persistent tapes; a non-persistent tape does this after `gradient`). */
  dispose(): void {
    this.#tape.release();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** The tensors standing for one source: itself, or every read of a variable (their gradients add up). */
class SourceReads {
  constructor(readonly tensors: readonly Tensor[]) {}
}

/** The gradient structure for a sources structure: tensors (or null) where tensors/variables were. */
export type GradientsOf<S> = S extends Tensor | Variable
  ? Tensor | null
  : S extends readonly unknown[]
    ? { [K in keyof S]: GradientsOf<S[K]> }
    : S extends object
      ? { [K in keyof S]: GradientsOf<S[K]> }
      : never;

function tidyKeep<T>(fn: () => T): T {
  const tracker = getRuntime().tracker;
  const scope = tracker.openScope();
  try {
    const result = fn();
    tracker.closeScope(
      scope,
      flattenStructure(result).filter((t): t is Tensor => t instanceof Tensor),
    );
    return result;
  } catch (error) {
    tracker.closeScope(scope, []);
    throw error;
  }
}

/**
 * The gradients of what `compute` returns with respect to `sources`, weighted by `dys`, on a
 * fresh tape (the `differentiate` that gradient rules of graph-running ops receive).
 *
 * ```ts
 * differentiate(() => replayGraph(graph, xs), xs, dys);
 * ```
 */
export function differentiate(compute: () => readonly Tensor[], sources: readonly Tensor[], dys: readonly (Tensor | null)[]): (Tensor | null)[] {
  if (sources.length === 0) return [];
  const tape = new GradientTape();
  const outputs = tape.record(() => {
    tape.watch([...sources]);
    return compute();
  });
  return tape.gradient([...outputs], [...sources], [...dys]);
}
