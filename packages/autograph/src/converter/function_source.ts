/**
 * Converting one function from its source text (`fn.toString()`): parsing the forms a
 * function's text can take, running the pipeline, and finding what the text alone cannot
 * provide (free variables, `this` of an arrow, `super`, private members).
 */
import { forEachOuterAccess } from "../passes/analysis.js";
import { generate, parser, t } from "./babel.js";
import { ConversionContext, identifierNames } from "./context.js";
import { type PassName, convertFunctionNode, functionPath, parserOptions, print } from "./pipeline.js";

/** A function converted from its source text. */
export interface ConvertedSource {
  /** The converted function, printed on its own (what `toCode` shows). */
  readonly display: string;
  /** A JS expression evaluating to the converted function (an object literal for methods). */
  readonly expression: string;
  /** How to get the function from `expression`: it is the function, or the one method of an object. */
  readonly form: "function" | "method";
  /** Source map of `expression` back to the original text. */
  readonly map: unknown;
  /** Variables the function reads or writes but does not declare (resolved by the caller). */
  readonly freeNames: readonly string[];
  /** What only the enclosing code can provide: `this` of an arrow, `super`, `#private` members. */
  readonly lexical: readonly string[];
  /** False when conversion changed nothing but call wrapping (no control flow or operators). */
  readonly needsConversion: boolean;
}

interface Parsed {
  readonly file: t.File;
  readonly fn: t.Function;
  readonly form: "function" | "method";
  readonly text: string;
  readonly prefix: number;
}

/** A function's text may be a declaration, expression, arrow, or object/class method (`m(x) {}`, `get x() {}`). */
function parseFunction(source: string): Parsed | undefined {
  const forms: [string, number, "function" | "method"][] = [
    [`(${source})`, 1, "function"],
    [`({${source}})`, 2, "method"],
  ];
  // Module (strict) code first; sloppy-mode script text (which may use `with`) as a fallback.
  const attempts = forms.flatMap((form) => [
    { form, sourceType: "module" as const },
    { form, sourceType: "script" as const },
  ]);
  for (const {
    form: [text, prefix, form],
    sourceType,
  } of attempts) {
    let file: t.File;
    try {
      file = parser.parse(text, { ...parserOptions(), sourceType });
    } catch {
      continue;
    }
    const stmt = file.program.body[0];
    if (file.program.body.length !== 1 || !t.isExpressionStatement(stmt)) continue;
    const expr = stmt.expression;
    if (form === "function" && (t.isFunctionExpression(expr) || t.isArrowFunctionExpression(expr)))
      return { file, fn: expr, form, text, prefix };
    if (form === "method" && t.isObjectExpression(expr) && expr.properties.length === 1 && t.isObjectMethod(expr.properties[0])) {
      return { file, fn: expr.properties[0], form, text, prefix };
    }
  }
  return undefined;
}

/** Free names and lexical dependencies of a function, before conversion. */
function dependencies(fn: t.Function): { freeNames: string[]; lexical: string[] } {
  const free = new Set<string>();
  forEachOuterAccess(fn, (name) => free.add(name));
  const lexical = new Set<string>();
  const visit = (node: t.Node | null | undefined, arrowScope: boolean): void => {
    if (node === null || node === undefined) return;
    if (t.isPrivateName(node)) lexical.add("#private class members");
    if (t.isSuper(node)) lexical.add("super");
    if (arrowScope && t.isThisExpression(node)) lexical.add("this");
    if (arrowScope && t.isMetaProperty(node)) lexical.add("new.target");
    const inner = t.isFunction(node) && node !== fn ? arrowScope && t.isArrowFunctionExpression(node) : arrowScope;
    for (const key of t.VISITOR_KEYS[node.type] ?? []) {
      const child = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(child)) for (const c of child) visit(c as t.Node, inner);
      else if (child !== null && typeof child === "object") visit(child as t.Node, inner);
    }
  };
  visit(fn, t.isArrowFunctionExpression(fn));
  if (t.isArrowFunctionExpression(fn) && free.has("arguments")) lexical.add("arguments");
  free.delete("arguments");
  free.delete("ag__");
  return { freeNames: [...free].sort(), lexical: [...lexical] };
}

const RUNTIME_OPERATOR = /\bag__\.(?!call\b|callMethod\b)\w+\(/;

/**
 * Converts a function's source text. Returns undefined when the text is not a function
 * (native code, a class). `passes` limits the pipeline (tests show each pass alone).
 */
export function convertSource(source: string, name: string, passes?: readonly PassName[]): ConvertedSource | undefined {
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) return undefined;
  const parsed = parseFunction(source);
  if (parsed === undefined) return undefined;
  const { file, fn, form, text, prefix } = parsed;
  const { freeNames, lexical } = dependencies(fn);
  const ctx = new ConversionContext(
    name || "anonymous function",
    { file: `<function ${name || "anonymous"}>`, original: (line, column) => ({ line, column: line === 1 ? column - prefix : column }) },
    identifierNames(functionPath(file, fn)),
  );
  convertFunctionNode(file, fn, ctx, passes);
  // Names conversion removed (the `autograph` of a setLoopOptions directive) need no value.
  const remaining = identifierNames(functionPath(file, fn));
  const display = print(fn);
  const generated = generate(
    file,
    { comments: true, sourceMaps: true, sourceFileName: `${name || "anonymous"}.js`, jsescOption: { minimal: true } },
    text,
  );
  const expression = generated.code.replace(/;\s*$/, "");
  return {
    display,
    expression,
    form,
    map: generated.map,
    freeNames: freeNames.filter((name) => remaining.has(name)),
    lexical,
    needsConversion: RUNTIME_OPERATOR.test(display),
  };
}
