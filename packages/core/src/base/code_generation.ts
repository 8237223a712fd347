import { KilnError } from "./errors.js";

/**
 * Code was to be compiled from a string (`new Function`), and this JS environment forbids
 * it: a page whose Content-Security-Policy lacks `'unsafe-eval'`, Node run with
 * `--disallow-code-generation-from-strings`, some extension and worker sandboxes. The
 * message names what needed it and what works instead.
 */
export class CodeGenerationError extends KilnError {}

let allowed: boolean | undefined;

/**
 * Whether this environment lets JS be compiled from strings (`new Function`). Probed once
 * (one tiny function is compiled; under a CSP that forbids it the browser may report one
 * violation) and remembered. False under a Content-Security-Policy without
 * `'unsafe-eval'`: then the cpu backend runs closures instead of generated kernels, and
 * AutoGraph cannot convert at run time.
 *
 * ```ts
 * tf.codeGenerationAllowed(); // true in plain Node and in pages without a strict CSP
 * ```
 */
export function codeGenerationAllowed(): boolean {
  if (allowed === undefined) {
    try {
      allowed = new Function("return 1")() === 1;
    } catch {
      // EvalError under a CSP or Node's flag; a TypeError under Trusted Types enforcement.
      allowed = false;
    }
  }
  return allowed;
}

/**
 * `new Function(...parameters, body)`, for code generators (kernels, converted functions).
 * Where code generation is forbidden it throws a `CodeGenerationError` that names `what`
 * and `instead` (what to do about it) rather than the engine's raw `EvalError`.
 *
 * ```ts
 * const add = tf.compileFunction("my kernel", "use the closure kernels", ["a", "b"], "return a + b;");
 * ```
 */
export function compileFunction(what: string, instead: string, parameters: readonly string[], body: string): Function {
  try {
    return new Function(...parameters, body);
  } catch (error) {
    if (error instanceof SyntaxError) throw error;
    allowed = false;
    throw new CodeGenerationError(
      `${what} needs to compile JavaScript from a string (new Function), which this environment forbids ` +
        `(a Content-Security-Policy without 'unsafe-eval', or Node's --disallow-code-generation-from-strings): ${instead}. ` +
        `(${error instanceof Error ? `${error.name}: ${error.message}` : String(error)})`,
    );
  }
}
