import * as autograph from "@kiln/autograph";
import * as autographRuntime from "@kiln/autograph/runtime";
import * as tf from "@kiln/core";

/** What a playground program exports by default: the function to study and the calls to make. */
export interface Program {
  /** A `tf.function` (what `tf.function(fn)` returned). */
  readonly fn: tf.PolymorphicFunction & ((...args: unknown[]) => unknown);
  /** The argument lists to call it with, in order. */
  readonly calls: readonly (readonly unknown[])[];
}

/** A program that cannot be loaded: a syntax error, an import the playground lacks, a wrong default export. */
export class ProgramError extends tf.KilnError {
  static override readonly errorName: string = "ProgramError";
}

/** The modules a program may import; the program gets the playground's own instances (one runtime). */
const MODULES: Readonly<Record<string, unknown>> = {
  "@kiln/core": tf,
  "@kiln/autograph": autograph,
  "@kiln/autograph/runtime": autographRuntime,
};

const MODULE_TABLE = Symbol.for("kiln.playground.modules");

/** One `import ... from "m"` as Babel prints it (single line), with its clause. */
const IMPORT = /^import\s+(?:(.+?)\s+from\s+)?(["'])([^"']+)\2;?[ \t]*$/gm;

/** `* as tf`, `{ a, b as c }` or `d`: the `const` pattern that reads the same names from a module object. */
function bindingOf(clause: string, module: string): string {
  const namespace = /^\*\s+as\s+([\w$]+)$/.exec(clause);
  if (namespace !== null) return namespace[1]!;
  const named = /^\{([^}]*)\}$/.exec(clause);
  if (named !== null) return `{ ${named[1]!.replace(/([\w$]+)\s+as\s+([\w$]+)/g, "$1: $2")} }`;
  if (/^[\w$]+$/.test(clause)) return `{ default: ${clause} }`;
  throw new ProgramError(
    `import ${clause} from "${module}": the playground understands \`import * as x\`, \`import { a, b as c }\` and default imports`,
  );
}

/**
 * Rewrites a module's imports into reads of the playground's own module instances, so the
 * program shares its runtime (backends, autograph) with the page. Only the modules in
 * `MODULES` are available.
 */
function linkImports(code: string): string {
  return code.replace(IMPORT, (_line, clause: string | undefined, _quote, module: string) => {
    if (!(module in MODULES)) {
      throw new ProgramError(`the playground cannot import "${module}": programs may import ${Object.keys(MODULES).join(", ")}`);
    }
    const table = `globalThis[Symbol.for("kiln.playground.modules")][${JSON.stringify(module)}]`;
    return clause === undefined ? "" : `const ${bindingOf(clause.trim(), module)} = ${table};`;
  });
}

/**
 * The program's source with AutoGraph applied as a bundler would (functions passed to
 * `tf.function` and what they call are converted; `if`/`while` on tensors become graph ops)
 * and its imports linked to the playground's modules: plain JS a page can import.
 *
 * ```ts
 * compileProgram('import * as tf from "@kiln/core"; export default { fn: tf.function((x) => x), calls: [] };');
 * ```
 */
export function compileProgram(source: string, filename = "playground.js"): string {
  let converted: string;
  try {
    converted = autograph.transformModule(source, { filename, installHook: true })?.code ?? source;
  } catch (error) {
    throw new ProgramError(`${filename}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return linkImports(converted);
}

/** Checks the default export's shape: `{ fn: tf.function(...), calls: [[...args], ...] }`. */
function checkProgram(value: unknown): Program {
  const shape = "export default { fn: tf.function(...), calls: [[arg, ...], ...] }";
  if (typeof value !== "object" || value === null)
    throw new ProgramError(`the program must ${shape}; its default export is ${value === undefined ? "missing" : typeof value}`);
  const { fn, calls } = value as { fn?: unknown; calls?: unknown };
  if (!(fn instanceof tf.PolymorphicFunction)) {
    throw new ProgramError(
      `the default export's fn must be what tf.function(...) returns, received ${typeof fn === "function" ? "a plain function: wrap it in tf.function" : typeof fn}`,
    );
  }
  if (!Array.isArray(calls) || !calls.every(Array.isArray)) {
    throw new ProgramError(
      `the default export's calls must be an array of argument arrays (calls: [[tf.ones([2])], [3]]), received ${Array.isArray(calls) ? "an array with a non-array entry" : typeof calls}`,
    );
  }
  return { fn: fn as Program["fn"], calls: calls as unknown[][] };
}

/**
 * Compiles and runs a program (as a module: top-level code runs once, on the active
 * backend) and returns its default export, checked.
 *
 * ```ts
 * const { fn, calls } = await loadProgram(editor.text);
 * ```
 */
export async function loadProgram(source: string): Promise<Program> {
  const code = compileProgram(source);
  (globalThis as Record<symbol, unknown>)[MODULE_TABLE] = MODULES;
  const url = `data:text/javascript;charset=utf-8,${encodeURIComponent(code)}`;
  // Errors the program's own top-level code throws propagate as they are.
  const module = (await import(/* @vite-ignore */ url)) as { default?: unknown };
  return checkProgram(module.default);
}
