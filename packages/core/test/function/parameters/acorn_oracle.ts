import { type Node, parseExpressionAt } from "acorn";
import type { Parameter, Primitive } from "../../../src/function/parameters.js";

/**
 * The reference reading of a function's parameters, with a full JS parser (acorn, a test
 * dependency only): what core did before it read parameter lists with its own tokenizer.
 * The tokenizer must agree with it on every function the tests generate.
 */
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

export function acornParameters(fn: Function): Parameter[] | undefined {
  const source = Function.prototype.toString.call(fn);
  if (source.includes("[native code]")) return undefined;
  const node = functionNode(source);
  if (node === undefined) return undefined;
  return (node.params as AnyNode[]).map((p, i) => describe(p, i));
}
