import { type NodePath, t } from "./babel.js";

/** Where a converted function's source came from, for locations in messages. */
export interface SourceInfo {
  /** The file (loader, plugin) or a description such as `<function f>` (run-time conversion). */
  readonly file: string;
  /** Added to line numbers of parsed nodes (run-time conversion parses the function alone). */
  readonly lineOffset?: number;
  /** Maps a parsed position to the user's original one (an input source map), if any. */
  readonly original?: (line: number, column: number) => { line: number; column: number } | undefined;
}

/**
 * State shared by the passes converting one function: fresh names that cannot collide with
 * the user's, and how to describe a node's location in messages and runtime calls.
 */
export class ConversionContext {
  readonly #taken: Set<string>;
  readonly #counters = new Map<string, number>();

  constructor(
    readonly fnName: string,
    readonly source: SourceInfo,
    taken: Iterable<string>,
  ) {
    this.#taken = new Set(taken);
  }

  /** A name like `break__1` that no identifier of the function uses. */
  freshName(base: string): string {
    let n = this.#counters.get(base) ?? 0;
    let name: string;
    do name = `${base}__${++n}`;
    while (this.#taken.has(name));
    this.#counters.set(base, n);
    this.#taken.add(name);
    return name;
  }

  #stateParam: string | undefined;

  /** The parameter name of setState closures (one per function; each closure is its own scope). */
  get stateParam(): string {
    this.#stateParam ??= this.reservedName("vars__");
    return this.#stateParam;
  }

  /** A fixed generated name (`retval__`), suffixed only if the user already uses it. */
  reservedName(name: string): string {
    if (!this.#taken.has(name)) {
      this.#taken.add(name);
      return name;
    }
    return this.freshName(name.replace(/_+$/, ""));
  }

  /** `file:line:column` of a node (1-based column), or the function's name when unknown. */
  location(node: t.Node | undefined): string {
    const start = node?.loc?.start;
    if (start === undefined) return this.source.file;
    const mapped = this.source.original?.(start.line, start.column);
    const line = (mapped?.line ?? start.line) + (mapped === undefined ? (this.source.lineOffset ?? 0) : 0);
    const column = (mapped?.column ?? start.column) + 1;
    return `${this.source.file}:${line}:${column}`;
  }

  /** A string literal holding `location(node)`, passed to runtime operators. */
  locationLiteral(node: t.Node | undefined): t.StringLiteral {
    return t.stringLiteral(this.location(node));
  }
}

/** Every identifier name used in a subtree (fresh names must avoid all of them). */
export function identifierNames(path: NodePath): Set<string> {
  const names = new Set<string>();
  path.traverse({
    Identifier(p) {
      names.add(p.node.name);
    },
  });
  if (path.isIdentifier()) names.add(path.node.name);
  return names;
}
