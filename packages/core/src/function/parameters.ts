import { type Node, parseExpressionAt } from "acorn";

/** A JS primitive that can be a parameter's default (and a cache-key literal). */
export type Primitive = number | string | boolean | bigint | null | undefined;

/** One declared parameter of a user function. */
export interface Parameter {
  readonly name: string;
  /** Present when the default is a literal, so `f(x)` and `f(x, false)` share a trace. */
  readonly literalDefault?: { readonly value: Primitive };
  readonly hasDefault: boolean;
  readonly rest: boolean;
}

type AnyNode = Node & Record<string, any>;

function literalValue(node: AnyNode): { value: Primitive } | undefined {
  if (node.type === "Literal" && !(node.value instanceof RegExp)) return { value: node.value as Primitive };
  if (node.type === "Identifier" && node.name === "undefined") return { value: undefined };
  if (node.type === "UnaryExpression" && node.operator === "-" && node.argument.type === "Literal" && typeof node.argument.value === "number") {
    return { value: -node.argument.value };
  }
  return undefined;
}

function describe(param: AnyNode, index: number): Parameter {
  if (param.type === "Identifier") return { name: param.name, hasDefault: false, rest: false };
  if (param.type === "RestElement") return { ...describe(param.argument, index), rest: true };
  if (param.type === "AssignmentPattern") {
    const inner = describe(param.left, index);
    const literal = literalValue(param.right);
    return { name: inner.name, hasDefault: true, rest: false, ...(literal !== undefined ? { literalDefault: literal } : {}) };
  }
  return { name: `args_${index}`, hasDefault: false, rest: false };
}

function functionNode(source: string): AnyNode | undefined {
  // A function's source may be a declaration, an arrow, an object method or a class method.
  for (const wrapped of [`(${source})`, `({${source}})`, `(class { ${source} })`]) {
    try {
      const expr = parseExpressionAt(wrapped, 0, { ecmaVersion: "latest" }) as AnyNode;
      if (expr.type === "FunctionExpression" || expr.type === "ArrowFunctionExpression") return expr;
      if (expr.type === "ObjectExpression") return expr.properties[0]?.value;
      if (expr.type === "ClassExpression") return expr.body.body[0]?.value;
    } catch {
      // try the next form
    }
  }
  return undefined;
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
  const node = functionNode(source);
  if (node === undefined) return undefined;
  return (node.params as AnyNode[]).map((p, i) => describe(p, i));
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
