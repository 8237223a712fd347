import type { DType, DataArray } from "../base/dtype.js";
import { KilnError, OutOfScopeError } from "../base/errors.js";
import type { ConcreteShape } from "../base/shape.js";
import { type AnyOpDef, type ValueInfo, checkArity } from "../ir/op.js";
import type { Backend, TensorData } from "../backend/backend.js";
import { ephemeralTensors } from "../tensor/convert.js";
import { type Tensor, checkAlive } from "../tensor/tensor.js";
import type { Runtime } from "./runtime.js";
import type { Trace } from "./trace.js";

/**
 * The bottom of the trace stack: runs each op's kernel now, on the active backend (or the
 * cpu fallback), moving input data between backends when needed.
 */
export class EagerTrace implements Trace {
  constructor(private readonly runtime: Runtime) {}

  bind(op: AnyOpDef, inputs: readonly Tensor[], attrs: object): Tensor[] {
    try {
      checkArity(op, inputs.length);
      inputs.forEach((t, i) => this.#checkInput(op, t, i));
      const outputs = op.infer(inputs, attrs) as (ValueInfo & { shape: ConcreteShape })[];
      const resolved = this.runtime.backends.resolve(op, this.runtime.backends.active());
      const backend = resolved.backend;
      const data: TensorData[] = inputs.map((t) => ({ dataId: this.runtime.dataOn(t, backend, op.api), shape: t.shape as ConcreteShape, dtype: t.dtype }));
      const run = resolved.run ?? resolved.specialize(data, outputs, attrs);
      const ids = run({ inputs: data, attrs, outputs, backend });
      if (ids.length !== outputs.length) {
        throw new KilnError(`${op.api}: kernel for ${op.name} on '${backend.name}' returned ${ids.length} outputs, expected ${outputs.length}`);
      }
      return ids.map((id, i) => this.runtime.wrap(backend, id, outputs[i]!.shape, outputs[i]!.dtype));
    } finally {
      // Constants converted from JS arguments live only for this op, even when it throws.
      for (const t of inputs) if (ephemeralTensors.has(t)) t.dispose();
    }
  }

  constant(values: DataArray, shape: ConcreteShape, dtype: DType): Tensor {
    const backend: Backend = this.runtime.backends.active();
    return this.runtime.wrap(backend, backend.write(values, shape, dtype), shape, dtype);
  }

  #checkInput(op: AnyOpDef, tensor: Tensor, index: number): void {
    const argName = op.inputs === "variadic" ? `inputs[${index}]` : (op.inputs[index] ?? `input ${index}`);
    if (tensor.handle.kind === "symbolic") {
      throw new OutOfScopeError(
        `${op.api}: argument '${argName}' is the symbolic tensor ${tensor.toString()}, which belongs to the tf.function trace '${tensor.handle.graph.name}' and is out of scope here. ` +
          `Symbolic tensors cannot escape their trace; return the value from the function instead`,
      );
    }
    checkAlive(tensor, op.api, argName);
  }
}
