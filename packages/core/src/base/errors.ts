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
  /**
   * The `name` this class's errors carry, written as a string so it survives minification
   * (a bundler renames classes, so `new.target.name` would print `nF: ...`). Every Kiln error
   * class declares its own; a subclass of yours should too:
   *
   * ```ts
   * class MyError extends tf.KilnError { static override readonly errorName: string = "MyError"; }
   * new MyError("oops").name; // "MyError", minified or not
   * ```
   *
   * A subclass that does not declare one is named after its class, as JavaScript names it.
   */
  static readonly errorName: string = "KilnError";

  constructor(message: string) {
    super(message);
    this.name = Object.hasOwn(new.target, "errorName") ? new.target.errorName : new.target.name;
  }
}

/** Shapes that do not fit together (broadcast, matmul inner dims, reshape sizes, ...). */
export class ShapeError extends KilnError {
  static override readonly errorName: string = "ShapeError";
}

/** A dtype the op does not accept, or two inputs whose dtypes differ. */
export class DTypeError extends KilnError {
  static override readonly errorName: string = "DTypeError";
}

/** An axis outside `[-rank, rank)` or repeated. */
export class AxisError extends KilnError {
  static override readonly errorName: string = "AxisError";
}

/** A bad argument value or count (not a shape or dtype problem). */
export class ArgumentError extends KilnError {
  static override readonly errorName: string = "ArgumentError";
}

/** Reading or using a tensor after `dispose()`. */
export class DisposedError extends KilnError {
  static override readonly errorName: string = "DisposedError";
}

/** Backend registry problems: unknown backend, missing kernel with no fallback, async init. */
export class BackendError extends KilnError {
  static override readonly errorName: string = "BackendError";
}

/** A tensor larger than Kiln may allocate (TF's `ResourceExhaustedError`), refused before allocating. */
export class ResourceExhaustedError extends KilnError {
  static override readonly errorName: string = "ResourceExhaustedError";
}

/** A symbolic tensor from a finished trace used outside it (SPEC B5). */
export class OutOfScopeError extends KilnError {
  static override readonly errorName: string = "OutOfScopeError";
}

/** A failed `tf.util.assert` (a check a program states about its own values). */
export class AssertionError extends KilnError {}

/** Formats a shape the way error messages print it: `[2,3]`, `[]`, `[null,2]`. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? "null" : String(d))).join(",")}]`;
}
