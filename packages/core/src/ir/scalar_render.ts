import type { DType } from "../base/dtype.js";
import { SCALAR_FNS, type ScalarExpr, type ScalarFn, type ScalarKernel, scalarFnOperandDTypes } from "./scalar.js";

/** How one scalar function is written in a target language, per operand dtype. */
export type ScalarTemplates = { readonly [F in ScalarFn]: Partial<Record<DType, (args: readonly string[]) => string>> };

/**
 * A target language for scalar expressions: JS on cpu, C on wasm, WGSL on webgpu. The
 * templates table must name every scalar function (the type says so), so a new function
 * cannot be added without every dialect deciding how to write it.
 *
 * ```ts
 * const js: ScalarDialect = { templates, literal: (v) => String(v), temp: (n, v) => `const ${n} = ${v};` };
 * ```
 */
export interface ScalarDialect {
  readonly templates: ScalarTemplates;
  /** A literal of `dtype` (for `bool`, `value` is 0 or 1). */
  literal(value: number, dtype: DType): string;
  /** A statement declaring `name` as `value` (a sub-expression used more than once). */
  temp(name: string, value: string, dtype: DType): string;
}

/** A rendered expression: statements to run first (shared temporaries), then the value. */
export interface RenderedScalar {
  readonly statements: readonly string[];
  readonly value: string;
}

/** Call nodes reached more than once from `root` (by object identity): they become temporaries. */
function sharedNodes(root: ScalarExpr): Set<ScalarExpr> {
  const seen = new Set<ScalarExpr>();
  const shared = new Set<ScalarExpr>();
  const visit = (node: ScalarExpr): void => {
    if (node.kind !== "call") return;
    if (seen.has(node)) {
      shared.add(node);
      return;
    }
    seen.add(node);
    node.args.forEach(visit);
  };
  visit(root);
  return shared;
}

/**
 * Renders a scalar kernel in `dialect`. `args[i]` is the target-language expression for
 * input i's element (already in the dialect's value representation); `prefix` makes the
 * names of temporaries unique where several kernels are rendered into one scope (fusion).
 *
 * ```ts
 * renderScalar(reluKernel, jsDialect, ["a"], "t"); // { statements: [], value: "((a < 0) ? 0 : a)" }
 * ```
 */
export function renderScalar(kernel: ScalarKernel, dialect: ScalarDialect, args: readonly string[], prefix: string): RenderedScalar {
  const shared = sharedNodes(kernel.body);
  const names = new Map<ScalarExpr, string>();
  const statements: string[] = [];
  const render = (node: ScalarExpr): string => {
    switch (node.kind) {
      case "arg":
        return args[node.index]!;
      case "literal":
        return dialect.literal(node.value, node.dtype);
      case "call": {
        const named = names.get(node);
        if (named !== undefined) return named;
        // The operand dtype picks the template: for select, the values' (argument 1).
        const operand = node.args[node.fn === "select" ? 1 : 0]!.dtype;
        const template = dialect.templates[node.fn][operand];
        if (template === undefined) throw new Error(`scalar dialect: no template for ${node.fn} on ${operand}`);
        const text = template(node.args.map(render));
        if (!shared.has(node)) return text;
        const name = `${prefix}_${names.size}`;
        names.set(node, name);
        statements.push(dialect.temp(name, text, node.dtype));
        return name;
      }
    }
  };
  const value = render(kernel.body);
  return { statements, value };
}

/**
 * The (function, operand dtype) pairs a dialect cannot write, e.g. `["erf/float32"]`.
 * Every backend's tests assert this is empty, so its dialect covers every scalar function.
 *
 * ```ts
 * missingTemplates(jsDialect); // []
 * ```
 */
export function missingTemplates(dialect: ScalarDialect): string[] {
  return SCALAR_FNS.flatMap((fn) => scalarFnOperandDTypes(fn).filter((dtype) => dialect.templates[fn][dtype] === undefined).map((dtype) => `${fn}/${dtype}`));
}
