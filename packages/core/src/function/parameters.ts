import { identifierName, literalValue, type Primitive } from "./js_literal.js";
import { type JsToken, jsTokens } from "./js_tokens.js";

export type { Primitive } from "./js_literal.js";

/** One declared parameter of a user function. */
export interface Parameter {
  readonly name: string;
  /** Present when the default is a literal, so `f(x)` and `f(x, false)` share a trace. */
  readonly literalDefault?: { readonly value: Primitive };
  readonly hasDefault: boolean;
  readonly rest: boolean;
}

const OPENERS: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

/**
 * The tokens of each declared parameter, read from a function's source: a function
 * declaration or expression, an arrow (with or without parentheses), or an object or class
 * method (getters, generators, async, computed and quoted names). `undefined` when the
 * source has no parameter list (a class).
 */
function parameterTokens(source: string): JsToken[][] | undefined {
  const tokens = jsTokens(source);
  let previous: JsToken | undefined;
  // The header: everything before the parameter list's `(`.
  for (let token = tokens.next(); ; token = tokens.next()) {
    if (token.done === true) return undefined;
    const { text, kind } = token.value;
    if (previous === undefined && kind === "name" && text === "class") return undefined;
    if (kind === "punct" && text === "(") break;
    if (kind === "punct" && text === "=>") return previous?.kind === "name" ? [[previous]] : undefined; // `x => ...`
    if (kind === "punct" && text === "[") skipGroup(tokens, "]"); // a computed method name
    else if (kind === "punct" && text === "{") return undefined;
    previous = token.value;
  }
  const params: JsToken[][] = [[]];
  const closers: string[] = [];
  for (let token = tokens.next(); !token.done; token = tokens.next()) {
    const { text, kind } = token.value;
    if (kind === "punct" && closers.length === 0 && (text === ")" || text === ",")) {
      if (text === ")") return params.at(-1)!.length === 0 ? params.slice(0, -1) : params; // a trailing comma
      params.push([]);
      continue;
    }
    if (kind === "punct" && OPENERS[text] !== undefined) closers.push(OPENERS[text]);
    else if (kind === "punct" && text === closers.at(-1)) closers.pop();
    params.at(-1)!.push(token.value);
  }
  return undefined;
}

/** Consumes tokens up to the `closer` that matches an opener already read. */
function skipGroup(tokens: Iterator<JsToken>, closer: string): void {
  const closers = [closer];
  while (closers.length > 0) {
    const token = tokens.next();
    if (token.done === true) return;
    const { text, kind } = token.value;
    if (kind !== "punct") continue;
    if (OPENERS[text] !== undefined) closers.push(OPENERS[text]);
    else if (text === closers.at(-1)) closers.pop();
  }
}

/** The length of the bracketed pattern that starts `tokens` (`{ a, b: [c] }`). */
function patternLength(tokens: readonly JsToken[]): number {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const { text, kind } = tokens[i]!;
    if (kind !== "punct") continue;
    if (OPENERS[text] !== undefined) depth++;
    else if ((text === ")" || text === "]" || text === "}") && --depth === 0) return i + 1;
  }
  return tokens.length;
}

function describe(tokens: readonly JsToken[], index: number): Parameter | undefined {
  const [first] = tokens;
  if (first === undefined) return undefined;
  if (first.kind === "punct" && first.text === "...") {
    const inner = describe(tokens.slice(1), index);
    return inner === undefined ? undefined : { ...inner, rest: true };
  }
  const isName = first.kind === "name";
  if (!isName && first.text !== "{" && first.text !== "[") return undefined;
  const nameLength = isName ? 1 : patternLength(tokens);
  const name = isName ? identifierName(first.text) : `args_${index}`;
  if (tokens.length === nameLength) return { name, hasDefault: false, rest: false };
  if (tokens[nameLength]!.text !== "=") return undefined;
  const literal = isName ? literalValue(tokens.slice(nameLength + 1)) : undefined;
  return { name, hasDefault: true, rest: false, ...(literal !== undefined ? { literalDefault: literal } : {}) };
}

/**
 * Reads a function's declared parameters from its source: names (placeholders are named
 * after them) and literal defaults (arguments are bound before keying the cache). Returns
 * `undefined` for functions without readable source (native or bound functions).
 *
 * ```ts
 * parameters((x, training = false) => x); // [{ name: "x" }, { name: "training", literalDefault: { value: false } }]
 * ```
 */
export function parameters(fn: Function): Parameter[] | undefined {
  const source = Function.prototype.toString.call(fn);
  if (source.includes("[native code]")) return undefined;
  const described = parameterTokens(source)?.map(describe);
  return described?.every((p): p is Parameter => p !== undefined) ? described : undefined;
}

/**
 * The name of each of `count` arguments of a call: the declared parameter's name;
 * `xs_0`, `xs_1`, ... for the elements of a rest parameter `...xs` (as TF names the parts
 * of `*args`); `args_<i>` past the declared parameters or when the source is unreadable.
 * Placeholders, signatures and error messages use these names.
 *
 * ```ts
 * argumentNames(parameters((x, ...xs) => x), 3); // ["x", "xs_0", "xs_1"]
 * ```
 */
export function argumentNames(params: readonly Parameter[] | undefined, count: number): string[] {
  const list = params ?? [];
  const rest = list.at(-1)?.rest === true ? list.at(-1) : undefined;
  const fixed = rest === undefined ? list.length : list.length - 1;
  return Array.from({ length: Math.max(count, fixed) }, (_, i) => {
    if (i < fixed) return list[i]!.name;
    return rest === undefined ? `args_${i}` : `${rest.name}_${i - fixed}`;
  });
}
