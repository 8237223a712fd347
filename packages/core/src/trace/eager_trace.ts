import type { DType, DataArray } from "../base/dtype.js";
import { KilnError, OutOfScopeError } from "../base/errors.js";
import type { ConcreteShape } from "../base/shape.js";
import { checkTensorSizes } from "../base/tensor_size.js";
import { type Backend, type DataId, readsSync, type TensorData } from "../backend/backend.js";
import { Identity } from "../ir/builtin_ops.js";
import { type AnyOpDef, checkArity, type ValueInfo, type ConcreteInfo } from "../ir/op.js";
import { driveSync, type HostRun } from "../plan/execution.js";
import { runKernelNow } from "../plan/host_ops.js";
import { dataSlot, type SlotValue } from "../plan/slots.js";
import { ephemeralTensors } from "../tensor/convert.js";
import type { ResourceHandle } from "../tensor/handle.js";
import { checkAlive, type Tensor } from "../tensor/tensor.js";
import { deferKernel, issueAsync, mustWait } from "./async_work.js";
import { foldEagerAttrInputs, hasAttrInputs, rejectTensorAttrs } from "./attr_inputs.js";
import type { Runtime } from "./runtime.js";
import type { Trace } from "./trace.js";

/** An output type as kernels see it. */

/** Eagerly no input dies inside the op: its buffers belong to tensors. */
const NEVER_LAST_USE = () => false;

/**
 * The bottom of the trace stack: runs each op now, on the active backend (or the cpu
 * fallback), moving input data between backends when needed. Kernel ops run their
 * kernel; ops the runtime executes itself run their execution (a call runs its plan, an
 * alias shares its input's buffer).
 */
export class EagerTrace implements Trace {
  constructor(private readonly runtime: Runtime) {}

  bind(op: AnyOpDef, given: readonly Tensor[], givenAttrs: object): Tensor[] {
    try {
      checkArity(op, given.length);
      given.forEach((t, i) => this.#checkInput(op, t, i));
      // Shape tensors given as inputs are read into the attrs: kernels only see attrs.
      rejectTensorAttrs(op, givenAttrs);
      const { inputs, attrs } = hasAttrInputs(op, given) ? foldEagerAttrInputs(op, given, givenAttrs) : { inputs: given, attrs: givenAttrs };
      const outputs = op.infer(inputs, attrs) as ConcreteInfo[];
      const execution = op.execution;
      if (execution?.kind === "alias") return [this.runtime.share(inputs[0]!)];
      if (execution?.kind === "view") return [this.runtime.view(inputs[0]!, outputs[0]!.shape as ConcreteShape)];
      if (execution?.kind === "host") return this.#host(op, execution.run as HostRun, inputs, outputs, attrs);
      if (execution !== undefined) throw new KilnError(`${op.api}: ${op.name} exists only inside graphs and cannot run eagerly`);
      return this.#kernel(op, inputs, outputs, attrs);
    } finally {
      // Constants converted from JS arguments live only for this op, even when it throws.
      for (const t of given) if (ephemeralTensors.has(t)) t.dispose();
    }
  }

  constant(values: DataArray, shape: ConcreteShape, dtype: DType): Tensor {
    const backend: Backend = this.runtime.backends.active();
    const pools = this.runtime.pools;
    const dataId = pools.retryAfterDrain(backend, () => {
      if (backend.caps.writeReuse !== true) return backend.write(values, shape, dtype);
      // A dead buffer of the same dtype and size (a disposed tensor's) is offered to write into.
      const infos = [{ shape, dtype }];
      const out = pools.offer(backend, infos);
      let made: DataId | undefined;
      try {
        made = backend.write(values, shape, dtype, out?.[0]);
        return made;
      } finally {
        if (out !== undefined) pools.returnUnused(backend, infos, out, made === undefined ? undefined : [made]);
      }
    });
    return this.runtime.wrap(backend, dataId, shape, dtype);
  }

  #kernel(op: AnyOpDef, inputs: readonly Tensor[], outputs: readonly ConcreteInfo[], attrs: object): Tensor[] {
    // Host-run ops (calls, control flow) allocate through their plans, which check there.
    checkTensorSizes(op.api, outputs, this.runtime.maxTensorBytes);
    const resolved = this.runtime.backends.resolve(op, this.runtime.backends.active());
    const backend = resolved.backend;
    if (mustWait(inputs, backend)) return deferKernel(this.runtime, op, resolved, inputs, outputs, attrs);
    const data: TensorData[] = inputs.map((t) => ({ dataId: this.runtime.dataOn(t, backend, op.api), shape: t.shape as ConcreteShape, dtype: t.dtype }));
    const run = resolved.run ?? resolved.specialize(data, outputs, attrs);
    // Dead buffers of the right size (disposed tensors) are offered to write the outputs into.
    const pools = this.runtime.pools;
    const ids = pools.retryAfterDrain(backend, () => {
      const out = pools.offer(backend, outputs);
      let made: DataId[] | undefined;
      try {
        made = run({ inputs: data, attrs, outputs, backend, out });
        return made;
      } finally {
        if (out !== undefined) pools.returnUnused(backend, outputs, out, made);
      }
    });
    if (ids.length !== outputs.length) {
      throw new KilnError(`${op.api}: kernel for ${op.name} on '${backend.name}' returned ${ids.length} outputs, expected ${outputs.length}`);
    }
    return ids.map((id, i) => this.runtime.wrap(backend, id, outputs[i]!.shape, outputs[i]!.dtype));
  }

  /**
   * Runs an op the runtime executes itself (a function call, or `If`/`While` staged from
   * eager code) on the active backend. Its results become tensors: owned buffers as they
   * are, borrowed ones (a pinned variable read returned as is) copied.
   */
  #host(op: AnyOpDef, run: HostRun, inputs: readonly Tensor[], outputs: readonly ValueInfo[], attrs: object): Tensor[] {
    const runtime = this.runtime;
    const backend = runtime.backends.active();
    if (mustWait(inputs, backend)) return issueAsync(runtime, op, run, inputs, outputs, attrs);
    const slots: SlotValue[] = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const t = inputs[i]!;
      slots[i] =
        t.handle.kind === "resource"
          ? { kind: "resource", value: (t.handle as ResourceHandle).variable }
          : dataSlot(backend, runtime.dataOn(t, backend, op.api), t.shape as ConcreteShape, t.dtype, false);
    }
    // Intermediates of the call die into the runtime's pool, where the next call finds them.
    const pool = runtime.pools.for(backend);
    backend.beginRun?.();
    try {
      const execution = run({
        name: op.api,
        attrs,
        inputs: slots,
        outputs,
        backend,
        isLastUse: NEVER_LAST_USE,
        pool,
        library: runtime.functions,
        context: runtime.executionContext,
      });
      // An execution that may wait for host reads runs as a task where reads are asynchronous.
      if (!Array.isArray(execution) && !readsSync(backend)) return issueAsync(runtime, op, run, inputs, outputs, attrs);
      const results = Array.isArray(execution) ? execution : driveSync(execution, op.api);
      const tensors: Tensor[] = new Array(results.length);
      for (let i = 0; i < results.length; i++) tensors[i] = this.#tensorOf(op, results[i]!);
      // Only after every copy: a value returned twice shares the buffer its first output pins.
      for (const out of results) if (out.kind === "data" && !out.owned) out.release?.();
      return tensors;
    } finally {
      backend.endRun?.();
    }
  }

  /** A result of a runtime-executed op as a tensor: an owned buffer as it is, a borrowed one copied (its caller releases it). */
  #tensorOf(op: AnyOpDef, out: SlotValue): Tensor {
    const runtime = this.runtime;
    if (out.kind !== "data") throw new KilnError(`${op.api}: ${op.name} returned a resource, which is not a value`);
    if (out.owned) return runtime.wrap(out.backend, out.dataId, out.shape, out.dtype);
    const copy = runKernelNow(runtime.backends, Identity, [out], out.backend);
    return runtime.wrap(copy.backend, copy.dataId, copy.shape, copy.dtype);
  }

  #checkInput(op: AnyOpDef, tensor: Tensor, index: number): void {
    const argName = op.inputs === "variadic" ? `inputs[${index}]` : (op.inputs[index] ?? `input ${index}`);
    if (tensor.handle.kind === "symbolic") {
      throw new OutOfScopeError(
        `${op.api}: argument '${argName}' is the symbolic tensor ${tensor.toString()}, which belongs to the tf.function trace '${tensor.handle.graph.name}' and is out of scope here. ` +
          `Symbolic tensors cannot escape their trace; return the value from the function instead`,
      );
    }
    if (tensor.handle.kind === "resource" && op.execution?.kind !== "host") {
      throw new KilnError(`${op.api}: argument '${argName}' is a variable's resource, but ${op.name} takes values; read the variable (v.read())`);
    }
    checkAlive(tensor, op.api, argName);
  }
}
