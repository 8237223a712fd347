import { KilnError } from "@kiln/core";

/**
 * Source AutoGraph cannot convert: a generator, `with`, `eval`, a labelled jump across
 * converted loops, free variables the run-time converter cannot see. The message names the
 * construct, the function and the line, and says what to do instead.
 *
 * ```ts
 * try { autograph.convert(function* gen() {}); }
 * catch (e) { e instanceof ConversionError; } // "cannot convert 'gen': generator functions ..."
 * ```
 */
export class ConversionError extends KilnError {
  static override readonly errorName: string = "ConversionError";
}

/**
 * A converted program that cannot become a graph: a variable defined in only one branch of
 * a tensor `if` (SPEC G5), undefined before a tensor loop (G6), a tensor-dependent `break`
 * in a loop that runs as JS (G7). Messages carry the location of the statement.
 */
export class AutoGraphError extends KilnError {
  static override readonly errorName: string = "AutoGraphError";
}
