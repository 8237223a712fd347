import { bytesPerElement } from "../base/dtype.js";
import { ArgumentError, formatShape } from "../base/errors.js";
import type { Graph } from "./graph.js";
import { formatName, libraryOf } from "./printer.js";
import { GraphFormatError } from "./serialize.js";

/**
 * How much memory a loaded function's graphs may ask for (SPEC K2): what `tf.loadFunction`
 * checks before anything runs or is allocated, so a small file cannot make a call
 * allocate gigabytes (a `Fill`, `Tile` or `Range` with a huge static size, or many large
 * ones). Sizes count every tensor an operation creates whose shape is known when loading:
 * kernel outputs and constants, in the function and every function it calls (branches,
 * loop bodies, nested calls), each counted once. Values whose size is only known when the
 * function runs (shapes from inputs or from tensors) are not counted; each op checks them
 * when it runs.
 *
 * ```ts
 * tf.loadFunction(text, { memoryBudget: { maxTensorBytes: 2 ** 30, maxTotalBytes: 2 ** 32 } });
 * ```
 */
export interface MemoryBudget {
  /** The largest tensor one operation may create, in bytes (default 256 MiB). */
  readonly maxTensorBytes?: number;
  /** The sum of the sizes of every statically sized tensor the graphs create, in bytes (default 1 GiB). */
  readonly maxTotalBytes?: number;
}

/** The budget `tf.loadFunction` uses when the caller gives none: 256 MiB per tensor, 1 GiB in all. */
export const DEFAULT_MEMORY_BUDGET: Required<MemoryBudget> = Object.freeze({ maxTensorBytes: 2 ** 28, maxTotalBytes: 2 ** 30 });

/**
 * The caller's budget with defaults filled in; each limit must be a positive number
 * (`Infinity` turns a limit off).
 *
 * ```ts
 * resolveMemoryBudget({ maxTensorBytes: 1024 }); // { maxTensorBytes: 1024, maxTotalBytes: 1073741824 }
 * ```
 */
export function resolveMemoryBudget(budget: MemoryBudget | undefined, api: string): Required<MemoryBudget> {
  if (budget === undefined) return DEFAULT_MEMORY_BUDGET;
  if (typeof budget !== "object" || budget === null) throw new ArgumentError(`${api}: memoryBudget must be an object, received ${String(budget)}`);
  const resolved = { ...DEFAULT_MEMORY_BUDGET };
  for (const key of ["maxTensorBytes", "maxTotalBytes"] as const) {
    const value = budget[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !(value > 0))
      throw new ArgumentError(`${api}: memoryBudget.${key} must be a positive number of bytes (Infinity for no limit), received ${String(value)}`);
    resolved[key] = value;
  }
  return resolved;
}

/** True for ops whose outputs are new buffers: kernels and constants (not inputs, aliases or host-run ops, whose results come from sub-graphs or variables). */
function allocates(kind: string | undefined): boolean {
  return kind === undefined || kind === "constant";
}

/**
 * Checks `graph` and every function it calls against `budget`, before anything runs: no
 * statically sized tensor over `maxTensorBytes`, and their sum at most `maxTotalBytes`.
 * Throws a GraphFormatError naming the operation (or the total) and the option to raise.
 *
 * ```ts
 * checkMemoryBudget(graph, { maxTensorBytes: 2 ** 20, maxTotalBytes: 2 ** 24 }, "functions[0]");
 * ```
 */
export function checkMemoryBudget(graph: Graph, budget: Required<MemoryBudget>, path: string): void {
  const seen = new Set<Graph>();
  const pending: Graph[] = [graph];
  let total = 0;
  const raise = (key: keyof MemoryBudget) =>
    `; pass tf.loadFunction(saved, { memoryBudget: { ${key}: ... } }) to allow more if the file is trusted`;
  while (pending.length > 0) {
    const g = pending.pop()!;
    if (seen.has(g)) continue;
    seen.add(g);
    for (const entry of libraryOf(g).values()) pending.push(entry.graph);
    for (const op of g.operations) {
      if (!allocates(op.def.execution?.kind)) continue;
      for (const output of op.outputs) {
        if (output.shape.some((d) => d === null)) continue;
        const bytes = (output.shape as number[]).reduce((a, b) => a * b, 1) * bytesPerElement(output.dtype);
        const where = `operation ${formatName(op.name)} (${op.type})${g === graph ? "" : ` in function '${g.name}'`}`;
        if (bytes > budget.maxTensorBytes) {
          throw new GraphFormatError(
            `${path}: ${where} creates a ${output.dtype} tensor of shape ${formatShape(output.shape)} (${bytes} bytes), more than the memory budget's maxTensorBytes (${budget.maxTensorBytes})${raise("maxTensorBytes")}`,
          );
        }
        total += bytes;
        if (total > budget.maxTotalBytes) {
          throw new GraphFormatError(
            `${path}: the tensors the function creates add up to more than the memory budget's maxTotalBytes (${budget.maxTotalBytes}) at ${where}${raise("maxTotalBytes")}`,
          );
        }
      }
    }
  }
}
