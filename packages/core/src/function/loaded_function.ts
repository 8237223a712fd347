import { isPlainObject } from "../base/plain_object.js";
import { toTensor } from "../ops/convert.js";
import type { TensorLike } from "../tensor/convert.js";
import { formatTfShape } from "../tensor/format.js";
import { Tensor } from "../tensor/tensor.js";
import { getRuntime } from "../trace/runtime.js";
import { makeCallable } from "./callable.js";
import { ConcreteFunction } from "./concrete_function.js";
import type { FunctionType, TypeNode } from "./function_type.js";
import type { CallableConcreteFunction } from "./polymorphic_function.js";
import { TensorSpec } from "./tensor_spec.js";
import { Variable } from "./variable.js";

/**
 * A concrete function rebuilt from a file. Its result structure comes from the file and
 * may leave some graph outputs out (a valid file never does; an edited one can): those
 * outputs are computed by every call and freed at once, so they cannot leak (SPEC K2).
 *
 * ```ts
 * // outputs: { kind: "tensor", index: 0 } over a graph with two outputs
 * loaded(x); // output 0; output 1 is freed
 * ```
 */
export class LoadedConcreteFunction extends ConcreteFunction {
  /** Graph outputs the result structure never mentions. */
  readonly #unreferenced: readonly number[];

  constructor(graph: ConcreteFunction["graph"], name: string, type: FunctionType, structured: unknown, outputs: readonly Tensor[], fnName: string) {
    super(graph, name, type, structured, outputs, fnName);
    const used = new Set<unknown>();
    const visit = (v: unknown): void => {
      if (v instanceof Tensor) used.add(v);
      else if (Array.isArray(v)) v.forEach(visit);
      else if (isPlainObject(v)) Object.values(v).forEach(visit);
    };
    visit(structured);
    this.#unreferenced = outputs.flatMap((t, i) => (used.has(t) ? [] : [i]));
  }

  override restructure(tensors: readonly Tensor[]): unknown {
    const result = super.restructure(tensors);
    for (const i of this.#unreferenced) {
      const t = tensors[i];
      if (t !== undefined && !t.isSymbolic) t.dispose();
    }
    return result;
  }
}

/** One loaded concrete function and how calls are matched against it. */
export interface LoadedEntry {
  readonly cf: ConcreteFunction;
  /** Traced from an inputSignature: JS numbers and arrays convert to the spec's dtype. */
  readonly inputSignature: boolean;
  /** Known tensor dims: among several matching signatures, the most specific wins (SPEC C1). */
  readonly specificity: number;
}

interface Match {
  readonly flat: (Tensor | Variable)[];
  readonly created: Tensor[];
}

/**
 * Matches call arguments against a traced signature the way the tf.function cache would
 * (tensors by dtype and accepted dims, JS values with `Object.is`, structures by shape,
 * variables by spec and aliasing) and collects the flat inputs in canonical order.
 */
function matchArgs(entry: LoadedEntry, args: readonly unknown[], fnName: string): Match | undefined {
  const params = entry.cf.functionType.params;
  if (args.length !== params.length) return undefined;
  const flat: (Tensor | Variable)[] = [];
  const created: Tensor[] = [];
  const aliases = new Map<Variable, number>();
  const visit = (node: TypeNode, arg: unknown, path: string): boolean => {
    switch (node.kind) {
      case "tensor": {
        let tensor = arg instanceof Tensor ? arg : undefined;
        if (tensor === undefined && entry.inputSignature && (typeof arg === "number" || typeof arg === "boolean" || Array.isArray(arg))) {
          try {
            tensor = toTensor(arg as TensorLike, fnName, path, node.dtype);
            created.push(tensor);
          } catch {
            return false;
          }
        }
        if (tensor === undefined || !new TensorSpec(node.shape, node.dtype).isCompatibleWith(tensor)) return false;
        flat.push(tensor);
        return true;
      }
      case "variable": {
        const fits =
          arg instanceof Variable && arg.dtype === node.dtype && arg.trainable === node.trainable && arg.shape.join() === node.shape.join();
        if (!fits) return false;
        const alias = aliases.get(arg);
        if (alias !== undefined) return alias === node.alias;
        if (node.alias !== aliases.size) return false;
        aliases.set(arg, node.alias);
        flat.push(arg);
        return true;
      }
      case "literal":
        return Object.is(arg, node.value);
      case "list":
        return (
          Array.isArray(arg) && arg.length === node.items.length && node.items.every((item, i) => visit(item, arg[i], `${path}[${i}]`))
        );
      case "dict": {
        if (!isPlainObject(arg)) return false;
        const keys = Object.keys(arg).sort();
        return (
          keys.length === node.keys.length &&
          keys.every((k, i) => k === node.keys[i]) &&
          node.values.every((v, i) => visit(v, arg[node.keys[i]!], `${path}.${node.keys[i]}`))
        );
      }
      case "ref":
        return false;
    }
  };
  if (params.every((p, i) => visit(p, args[i], `${i}`))) return { flat, created };
  for (const t of created) if (!t.isSymbolic) t.dispose();
  return undefined;
}

function describeNode(node: TypeNode): string {
  switch (node.kind) {
    case "tensor":
      return new TensorSpec(node.shape, node.dtype, node.name).toString();
    case "variable":
      return `VariableSpec(shape=${formatTfShape(node.shape)}, dtype=${node.dtype}, trainable=${node.trainable ? "True" : "False"})`;
    case "literal":
      return `Literal[${typeof node.value === "string" ? JSON.stringify(node.value) : String(node.value)}]`;
    case "list":
      return `[${node.items.map(describeNode).join(", ")}]`;
    case "dict":
      return `{${node.keys.map((k, i) => `${k}: ${describeNode(node.values[i]!)}`).join(", ")}}`;
    case "ref":
      return "<object>";
  }
}

function describeArg(arg: unknown): string {
  if (arg instanceof Tensor) return `Tensor(shape=${formatTfShape(arg.shape)}, dtype=${arg.dtype})`;
  if (arg instanceof Variable) return `Variable(shape=${formatTfShape(arg.shape)}, dtype=${arg.dtype})`;
  if (Array.isArray(arg)) return `[${arg.map(describeArg).join(", ")}]`;
  if (isPlainObject(arg))
    return `{${Object.keys(arg)
      .map((k) => `${k}: ${describeArg(arg[k])}`)
      .join(", ")}}`;
  if (typeof arg === "object" && arg !== null) return `<${arg.constructor?.name ?? "object"}>`;
  return typeof arg === "string" ? JSON.stringify(arg) : String(arg);
}

/** An omitted trailing argument and an explicit `undefined` mean the same in JS (as for tf.function). */
function trimArgs(args: readonly unknown[]): unknown[] {
  const out = [...args];
  while (out.length > 0 && out.at(-1) === undefined) out.pop();
  return out;
}

/**
 * What `tf.loadFunction` returns: a callable over the saved concrete functions (SPEC K1).
 * A call runs the most specific saved signature that accepts the arguments; it never
 * traces, so any other signature is a TypeError listing the saved ones. `variables` are
 * the captured variables, restored as new `tf.Variable`s.
 *
 * ```ts
 * const cube = tf.loadFunction(saved);
 * cube(tf.constant(2));       // runs the saved graph
 * cube.concreteFunctions[0].graph.toString();
 * ```
 */
export class LoadedFunction {
  readonly concreteFunctions: readonly CallableConcreteFunction[];
  readonly variables: readonly Variable[];
  /** Saved entries, most specific first. */
  private readonly ordered: readonly LoadedEntry[];

  private constructor(
    readonly name: string,
    readonly entries: readonly LoadedEntry[],
    private readonly owned: readonly (Tensor | Variable)[],
  ) {
    this.ordered = [...entries].sort((a, b) => b.specificity - a.specificity);
    this.variables = owned.filter((v): v is Variable => v instanceof Variable);
    this.concreteFunctions = entries.map((entry) => makeCallable(entry.cf, (...args: unknown[]) => this.run([entry], args)));
  }

  /** Builds a loaded function and makes it callable. */
  static create(
    name: string,
    entries: readonly LoadedEntry[],
    owned: readonly (Tensor | Variable)[],
  ): LoadedFunction & ((...args: any[]) => any) {
    const loaded = new LoadedFunction(name, entries, owned);
    return makeCallable(loaded, (...args: unknown[]) => loaded.run(loaded.ordered, args));
  }

  /** Calls with an array of arguments (what calling the function itself does). */
  call(args: readonly unknown[]): unknown {
    return this.run(this.ordered, args);
  }

  /** The saved concrete function these arguments would run (never traces). */
  getConcreteFunction(...args: unknown[]): CallableConcreteFunction {
    const match = this.find(this.ordered, trimArgs(args));
    for (const t of match.match.created) if (!t.isSymbolic) t.dispose();
    return this.concreteFunctions[this.entries.indexOf(match.entry)]!;
  }

  /** Each saved concrete function's inputs and outputs, one block each (like SPEC B11). */
  prettyPrintedConcreteSignatures(): string {
    return this.entries.map((e) => `${this.name}\n${e.cf.prettySignature().replace(/^/gm, "  ")}`).join("\n\n");
  }

  /** Frees the restored variables and tensors and the compiled plans. */
  dispose(): void {
    const seen = new Set<unknown>();
    const release = (cf: ConcreteFunction): void => {
      if (seen.has(cf)) return;
      seen.add(cf);
      cf.dispose();
      for (const entry of cf.graph.library.values()) if (entry instanceof ConcreteFunction) release(entry);
    };
    for (const e of this.entries) release(e.cf);
    for (const value of this.owned) value.dispose();
  }

  toString(): string {
    return `<LoadedFunction ${this.name} (${this.entries.length} signature${this.entries.length === 1 ? "" : "s"})>`;
  }

  private run(entries: readonly LoadedEntry[], args: readonly unknown[]): unknown {
    const { entry, match } = this.find(entries, trimArgs(args));
    try {
      return entry.cf.callFlat(match.flat);
    } finally {
      // Converted JS values are ours to free, unless a trace captured them.
      if (getRuntime().graphTrace() === undefined) for (const t of match.created) t.dispose();
    }
  }

  private find(entries: readonly LoadedEntry[], args: readonly unknown[]): { entry: LoadedEntry; match: Match } {
    for (const entry of entries) {
      const match = matchArgs(entry, args, this.name);
      if (match !== undefined) return { entry, match };
    }
    const saved = entries.map((e) => `  ${this.name}(${e.cf.functionType.params.map(describeNode).join(", ")})`);
    throw new TypeError(
      `${this.name}: no saved signature accepts (${args.map(describeArg).join(", ")}). A loaded function runs only the signatures traced before saving:\n${saved.join("\n")}`,
    );
  }
}
