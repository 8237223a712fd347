/**
 * Automatic names for layers and models in Keras style: `dense`, `dense_1`, `dense_2`.
 * The counters live in one explicit object; `clearSession()` resets them (Keras's
 * `keras.backend.clear_session`), which matters only to code that compares auto names.
 *
 * ```ts
 * keras.clearSession(); keras.layers.dense({ units: 1 }).name; // "dense"
 * ```
 */

/** Counters per name prefix. */
export class NameScope {
  readonly #counts = new Map<string, number>();

  /** The next unique name for `prefix`: the prefix itself first, then `prefix_1`, ... */
  unique(prefix: string): string {
    const n = this.#counts.get(prefix) ?? 0;
    this.#counts.set(prefix, n + 1);
    return n === 0 ? prefix : `${prefix}_${n}`;
  }

  /** Forgets every counter. */
  clear(): void {
    this.#counts.clear();
  }
}

/** The package's name scope. */
export const names = new NameScope();

/** Resets automatic layer and model names (`dense`, `dense_1`, ... start again). */
export function clearSession(): void {
  names.clear();
}

/** `Dense` -> `dense`, `MaxPooling2D` -> `max_pooling2d`, `Conv2D` -> `conv2d` (Keras's naming). */
export function snakeCaseClassName(className: string): string {
  return className
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .replace(/(\d)D\b/g, "$1d")
    .toLowerCase();
}
