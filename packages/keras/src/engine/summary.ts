/**
 * `model.summary()`: the Keras table of layers with output shapes and parameter counts,
 * plus a "Connected to" column for functional models with branches.
 *
 * ```text
 * Model: "sequential"
 * _________________________________________________________________
 *  Layer (type)                Output Shape              Param #
 * =================================================================
 *  dense (Dense)               (None, 64)                50240
 * ...
 * Total params: 50,890
 * ```
 */
import { formatKerasShape, type Shape } from "../utils/shape.js";
import type { Layer } from "./layer.js";

/** Where summary lines go (console.log by default). */
export type PrintFn = (line: string) => void;

/** What `summarize` reads of a model. */
export interface SummaryTarget {
  readonly name: string;
  readonly layers: Layer[];
  readonly trainableWeights: { shape: readonly (number | null)[] }[];
  readonly nonTrainableWeights: { shape: readonly (number | null)[] }[];
}

function count(weights: { shape: readonly (number | null)[] }[]): number {
  return weights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 0), 1), 0);
}

function outputShapeText(layer: Layer): string {
  try {
    const shape = layer.outputShape;
    return Array.isArray(shape[0]) ? (shape as Shape[]).map(formatKerasShape).join(", ") : formatKerasShape(shape as Shape);
  } catch {
    return "?";
  }
}

function connections(layer: Layer, model: SummaryTarget): string[] {
  const inModel = new Set(model.layers);
  return layer.inboundNodes.flatMap((node) =>
    node.inputs
      .filter((t) => t.history !== undefined && inModel.has(t.history.layer))
      .map((t) => `${t.history!.layer.name}[${t.history!.nodeIndex}][${t.history!.tensorIndex}]`),
  );
}

function row(fields: string[], positions: number[]): string {
  let line = "";
  fields.forEach((field, i) => {
    const end = positions[i]!;
    line = `${line}${field}`.slice(0, end - 1).padEnd(end);
  });
  return line.trimEnd();
}

/** Prints the summary table of `model` with `printFn`. */
export function summarize(model: SummaryTarget, options: { lineLength?: number; positions?: number[]; printFn?: PrintFn } = {}): void {
  const print = options.printFn ?? console.log;
  const layers = model.layers;
  const branched = layers.some((l) => l.inboundNodes.length > 1 || l.inboundNodes.some((n) => n.inputs.length > 1));
  const lineLength = options.lineLength ?? (branched ? 98 : 65);
  const fractions = options.positions ?? (branched ? [0.33, 0.55, 0.67, 1] : [0.45, 0.85, 1]);
  const positions = fractions.map((p) => (p <= 1 ? Math.floor(lineLength * p) : p));
  const header = branched ? ["Layer (type)", "Output Shape", "Param #", "Connected to"] : ["Layer (type)", "Output Shape", "Param #"];
  print(`Model: "${model.name}"`);
  print("_".repeat(lineLength));
  print(row([` ${header[0]}`, ...header.slice(1)], positions));
  print("=".repeat(lineLength));
  layers.forEach((layer, i) => {
    const params = layer.built ? String(layer.countParams()) : "0";
    const connected = branched ? connections(layer, model) : [];
    const first = [` ${layer.name} (${layer.getClassName()})`, outputShapeText(layer), params];
    print(row(branched ? [...first, connected[0] ?? ""] : first, positions));
    for (const extra of connected.slice(1)) print(row(["", "", "", extra], positions));
    print(i === layers.length - 1 ? "=".repeat(lineLength) : "_".repeat(lineLength));
  });
  if (layers.length === 0) print("=".repeat(lineLength));
  const trainable = count(model.trainableWeights);
  const nonTrainable = count(model.nonTrainableWeights);
  const fmt = (n: number) => n.toLocaleString("en-US");
  print(`Total params: ${fmt(trainable + nonTrainable)}`);
  print(`Trainable params: ${fmt(trainable)}`);
  print(`Non-trainable params: ${fmt(nonTrainable)}`);
  print("_".repeat(lineLength));
}
