/**
 * Typed errors. Every error Kiln throws for bad input is one of these, so callers can
 * `instanceof`-check them, and every message names the op or function, what was
 * received and what would be valid.
 *
 * ```ts
 * try { tf.add(tf.ones([2, 3]), tf.ones([4])); }
 * catch (e) { if (e instanceof tf.ShapeError) console.log(e.message); }
 * ```
 */
export class KilnError extends Error {
  /** `options.cause`: the error this one reports (a backend's own typed error, for example). */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit together (broadcast, matmul inner dims, reshape sizes, ...). */
export class ShapeError extends KilnError {}

/** A dtype the op does not accept, or two inputs whose dtypes differ. */
export class DTypeError extends KilnError {}

/** An axis outside `[-rank, rank)` or repeated. */
export class AxisError extends KilnError {}

/** A bad argument value or count (not a shape or dtype problem). */
export class ArgumentError extends KilnError {}

/** Reading or using a tensor after `dispose()`. */
export class DisposedError extends KilnError {}

/** Backend registry problems: unknown backend, missing kernel with no fallback, async init. */
export class BackendError extends KilnError {}

/** A tensor larger than Kiln may allocate (TF's `ResourceExhaustedError`), refused before allocating. */
export class ResourceExhaustedError extends KilnError {}

/** A symbolic tensor from a finished trace used outside it (SPEC B5). */
export class OutOfScopeError extends KilnError {}

/** Formats a shape the way error messages print it: `[2,3]`, `[]`, `[null,2]`. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? "null" : String(d))).join(",")}]`;
}
