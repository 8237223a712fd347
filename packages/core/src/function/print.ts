import type { DataArray, DType } from "../base/dtype.js";
import { ArgumentError } from "../base/errors.js";
import { defineOp } from "../ir/op.js";
import { type ExecuteArgs, type Execution, readHost } from "../plan/execution.js";
import type { DataSlot, SlotValue } from "../plan/slots.js";
import { asTensor } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";
import { bind } from "../trace/bind.js";
import { getRuntime } from "../trace/runtime.js";

/** Prints a PrintV2 op's template with its tensors' values (one host read each). */
function* executePrint(args: ExecuteArgs<{ template: readonly (string | null)[] }>): Execution<SlotValue[]> {
  const parts: string[] = [];
  let next = 0;
  for (const part of args.attrs.template) {
    if (part !== null) {
      parts.push(part);
      continue;
    }
    const slot = args.inputs[next++] as DataSlot;
    parts.push(formatPrinted(yield* readHost(slot), slot.shape, slot.dtype));
  }
  args.context.print(parts.join(" "));
  return [];
}

/** `PrintV2`: prints its inputs on every execution. `template` has `null` where each tensor goes. */
export const PrintV2 = defineOp<{ template: readonly (string | null)[] }>({
  name: "PrintV2",
  api: "print",
  family: "opaque",
  inputs: "variadic",
  stateful: true,
  grad: "none",
  execution: { kind: "host", run: executePrint },
  infer: (inputs, attrs) => {
    const template = attrs.template;
    const ok = Array.isArray(template) && template.every((p) => p === null || typeof p === "string");
    const slots = ok ? template.filter((p) => p === null).length : -1;
    if (!ok || slots !== inputs.length) {
      throw new ArgumentError(
        `print: the template must be strings and one null per printed tensor (${inputs.length}), received ${JSON.stringify(template)}`,
      );
    }
    return [];
  },
});

/** One element as TF's tf.print shows it: shortest float32 digits, bools as 1/0. */
function printedElement(value: number, dtype: DType): string {
  if (dtype !== "float32") return String(value);
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  for (let p = 1; p < 9; p++) {
    const text = value.toPrecision(p);
    if (Math.fround(Number(text)) === value) return String(Number(text));
  }
  return String(value);
}

/**
 * Formats one printed tensor the way TF's `tf.print` does (C++ SummarizeValue): `1` rather
 * than `1.0`, elements separated by single spaces, nested brackets, `...` past 1000 values.
 *
 * ```ts
 * formatPrinted(new Float32Array([1, 2.5]), [2], "float32"); // "[1 2.5]"
 * ```
 */
export function formatPrinted(values: DataArray, shape: readonly number[], dtype: DType): string {
  if (shape.length === 0) return printedElement(values[0]!, dtype);
  if (values.length === 0) return "[]";
  const summarise = values.length > 1000;
  let offset = 0;
  const render = (dim: number, indent: number): string => {
    const n = shape[dim]!;
    const inner = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      if (summarise && n > 6 && i === 3) {
        parts.push("...");
        offset += (n - 6) * inner;
        i = n - 3;
      }
      parts.push(dim === shape.length - 1 ? printedElement(values[offset++]!, dtype) : render(dim + 1, indent + 1));
    }
    const separator = dim === shape.length - 1 ? " " : `\n${" ".repeat(indent + 1)}`;
    return `[${parts.join(separator)}]`;
  };
  return render(0, 0);
}

/**
 * Prints values: strings as they are, tensors as their values. Eagerly it prints now;
 * inside a `tf.function` it becomes a `PrintV2` op that prints on every call, in program
 * order with other stateful ops (unlike `console.log`, which runs only while tracing).
 *
 * ```ts
 * tf.print("x =", x);
 * ```
 */
export function print(...values: unknown[]): void {
  const runtime = getRuntime();
  const converted = values.map((v) => asTensor(v));
  const template = values.map((v, i) => (converted[i] === undefined ? String(v) : null));
  const tensors = converted.filter((t): t is Tensor => t !== undefined);
  if (runtime.graphTrace() !== undefined) {
    bind(PrintV2, tensors, { template });
    return;
  }
  if (tensors.every((t) => t.canReadSync) && !runtime.tasks.busy) {
    let next = 0;
    runtime.print(template.map((part) => part ?? printTensor(tensors[next++]!)).join(" "));
    return;
  }
  // Values on an async-only backend (or still being computed): print once they exist, in
  // program order with the prints of calls issued before.
  const held = tensors.map((t) => runtime.retain(t));
  runtime.tasks.enqueue(async () => {
    try {
      const values = await Promise.all(held.map((t) => t.data()));
      const texts = held.map((t, i) => formatPrinted(values[i]!, t.shape as number[], t.dtype));
      let next = 0;
      runtime.print(template.map((part) => part ?? texts[next++]!).join(" "));
    } finally {
      for (const t of held) t.dispose();
    }
  });
}

function printTensor(t: Tensor): string {
  return formatPrinted(t.dataSync(), t.shape as number[], t.dtype);
}
