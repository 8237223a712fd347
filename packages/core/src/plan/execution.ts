import type { DataArray } from "../base/dtype.js";
import { BackendError } from "../base/errors.js";
import type { LibraryFunction } from "../ir/func_graph.js";
import type { ValueInfo } from "../ir/op.js";
import { type Backend, readsSync } from "../backend/backend.js";
import type { BackendRegistry } from "../backend/backend_registry.js";
import type { BufferPool } from "./buffer_pool.js";
import type { DataSlot, SlotValue } from "./slots.js";

/**
 * Work described once and driven two ways. A step that needs values on the host (a While
 * predicate, a printed tensor, data moving off an async-only backend) yields the slot to
 * read and receives its values; `driveSync` answers with a synchronous read where the
 * backend has one, `driveAsync` awaits the backend's `read`. On a backend with synchronous
 * reads, `readHost` never yields at all, so synchronous driving costs one `next()`.
 *
 * ```ts
 * function* predicate(slot: DataSlot): Execution<boolean> {
 *   return (yield* readHost(slot))[0] !== 0;
 * }
 * driveSync(predicate(slot), "If"); // or: await driveAsync(predicate(slot))
 * ```
 */
export type Execution<T> = Generator<DataSlot | PlanWait, T, DataArray>;

/**
 * A request to wait before going on (a backend's `prepare` compiling ahead): an
 * asynchronous driver awaits it; a synchronous one goes on at once (the backend then
 * compiles on first use instead).
 */
export class PlanWait {
  constructor(readonly until: Promise<void>) {}
}

/** No values: what a driver sends back for a `PlanWait`. */
const NOTHING = new Float32Array(0);

/**
 * The values of `slot`, read on the host: at once on a backend with synchronous reads,
 * otherwise by yielding the slot to the driver. The array may be a view of backend memory
 * (valid until the next call into that backend, see `Backend.readSync`): copy what you keep.
 */
export function* readHost(slot: DataSlot): Execution<DataArray> {
  const backend = slot.backend;
  if (readsSync(backend)) return backend.readSync(slot.dataId);
  return yield slot;
}

/**
 * Runs an execution to the end synchronously. A host read it cannot answer (the data lives
 * on an async-only backend) is a BackendError naming `what`.
 */
export function driveSync<T>(execution: Execution<T>, what: string): T {
  let step = execution.next();
  while (step.done !== true && step.value instanceof PlanWait) step = execution.next(NOTHING);
  if (step.done === true) return step.value;
  execution.return(undefined as T);
  const read = step.value as DataSlot;
  throw new BackendError(
    `${what}: needs the values of a tensor on backend '${read.backend.name}', which reads only asynchronously; ` +
      `this path cannot wait for it (use await tensor.data() instead of dataSync(), or run the code inside a tf.function)`,
  );
}

/** Runs an execution to the end, awaiting each host read it asks for. */
export async function driveAsync<T>(execution: Execution<T>): Promise<T> {
  let step = execution.next();
  while (step.done !== true) {
    const request = step.value;
    let values: DataArray;
    try {
      if (request instanceof PlanWait) {
        await request.until;
        values = NOTHING;
      } else values = await request.backend.read(request.dataId);
    } catch (error) {
      step = execution.throw(error);
      continue;
    }
    step = execution.next(values);
  }
  return step.value;
}

/**
 * How the runtime-executed ops of a running plan read and write variables. A synchronous
 * call works on the variables themselves; an asynchronous call works on its own view, taken
 * when it was issued, so later eager code neither sees nor disturbs it (program order).
 */
export interface VariableAccess {
  /** The variable's value for the rest of this step's plan: the buffer is pinned until the slot is released. */
  read(variable: object, backend: Backend, op: string): DataSlot;
  /** The variable's value, borrowed only for the duration of one step (an update's operand). */
  peek(variable: object, backend: Backend, op: string): DataSlot;
  /** Installs `value` (owned; taken over) as the variable's new value. Throws, freeing it, when the shape differs. */
  write(variable: object, value: DataSlot, op: string): void;
  /**
   * Whether nothing but the variable holds its value's buffer on `backend` (no read, no
   * snapshot), so an update may write into it in place.
   */
  exclusive?(variable: object, backend: Backend): boolean;
}

/** Finds a function by the name an op's attribute gives (a graph's library is one). */
export interface FunctionLookup {
  get(name: string): LibraryFunction | undefined;
}

/** What the ops the runtime executes itself need from their surroundings during one call. */
export interface ExecutionContext {
  readonly registry: BackendRegistry;
  readonly variables: VariableAccess;
  /** Where `tf.print` writes. */
  print(text: string): void;
  /** The largest tensor a step may create (`tf.config.setMaxTensorBytes`). */
  readonly maxTensorBytes: number;
}

/**
 * What a runtime-executed op (a call, `If`, `While`, `PrintV2`, a variable op) receives.
 * Its execution yields host reads (see `Execution`) and returns one value per output.
 */
export interface ExecuteArgs<A = any> {
  /** The operation's name, for errors. */
  readonly name: string;
  readonly attrs: A;
  readonly inputs: readonly SlotValue[];
  /** Output types from shape inference (dims may be unknown). */
  readonly outputs: readonly ValueInfo[];
  readonly backend: Backend;
  /** True if this step is the last reader of input `i` (so an owned buffer may be taken over). */
  readonly isLastUse: (i: number) => boolean;
  /** Dead buffers of the running plan, for sub-plans (branches, loop bodies, calls) to reuse. */
  readonly pool: BufferPool;
  /** Functions called by name (`f`, `thenBranch`, `body`, ...): the graph's library (eagerly, the runtime's). */
  readonly library: FunctionLookup;
  readonly context: ExecutionContext;
}

/**
 * A runtime-executed op's implementation (`OpDef.execution` of kind `host`): an execution
 * when it may need host reads, or simply its results when it never does (a variable op).
 */
export type HostRun<A = any> = (args: ExecuteArgs<A>) => Execution<SlotValue[]> | SlotValue[];
