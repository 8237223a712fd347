import { ArgumentError } from "../base/errors.js";
import type { AnyOpDef } from "./op.js";

/**
 * The table of known ops, keyed by raw op name. Graph loading resolves op types through
 * it, so a saved graph can only name ops that were declared in code: nothing in a file
 * is ever executed.
 *
 * ```ts
 * const table = new OpTable();
 * table.add(myOp);
 * table.get("MyOp");
 * ```
 */
export class OpTable {
  readonly #ops = new Map<string, AnyOpDef>();

  add(op: AnyOpDef): void {
    const existing = this.#ops.get(op.name);
    if (existing !== undefined && existing !== op) {
      throw new ArgumentError(`defineOp: an op named ${op.name} is already declared; choose another name`);
    }
    this.#ops.set(op.name, op);
  }

  get(name: string): AnyOpDef | undefined {
    return this.#ops.get(name);
  }

  has(name: string): boolean {
    return this.#ops.has(name);
  }

  names(): string[] {
    return [...this.#ops.keys()].sort();
  }
}
