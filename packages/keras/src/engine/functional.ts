/**
 * Functional models (`keras.model({ inputs, outputs })`): the graph of layer calls between
 * symbolic inputs and outputs, run in topological order on real tensors. Layers may be
 * shared (called several times); models may have several inputs and outputs and may be
 * used as layers of other models. The config is tfjs-layers' functional topology
 * (`layers` with `inboundNodes`, `inputLayers`, `outputLayers`).
 *
 * ```ts
 * const a = keras.input({ shape: [4] }), b = keras.input({ shape: [4] });
 * const shared = keras.layers.dense({ units: 2 });
 * const model = keras.model({ inputs: [a, b], outputs: keras.layers.concatenate().apply([shared.apply(a), shared.apply(b)]) });
 * ```
 */
import type * as tf from "@kiln/core";
import { ConfigError, InputShapeError, ModelFormatError } from "../errors.js";
import { formatKerasShape, type Shape } from "../utils/shape.js";
import { InputLayer } from "./input_layer.js";
import { KerasTensor } from "./keras_tensor.js";
import { type CallOptions, Layer, toList } from "./layer.js";
import { Model } from "./model.js";
import type { Node } from "./node.js";
import { type ClassRegistry, classes, type ConfigDict, type ConfigValue } from "./serialization.js";

/** Options of `keras.model`. */
export interface FunctionalArgs {
  inputs: KerasTensor | KerasTensor[];
  outputs: KerasTensor | KerasTensor[];
  name?: string;
}

/** A model defined by a graph of layer calls on symbolic tensors. */
export class Functional extends Model {
  static override className = "Functional";
  readonly #inputs: KerasTensor[];
  readonly #outputs: KerasTensor[];
  readonly #singleInput: boolean;
  readonly #singleOutput: boolean;
  /** Nodes in execution order (input layers' nodes excluded). */
  readonly #nodes: Node[];
  readonly #layers: Layer[];

  constructor(args: FunctionalArgs) {
    super({ name: args.name });
    this.#inputs = toList(args.inputs);
    this.#outputs = toList(args.outputs);
    this.#singleInput = !Array.isArray(args.inputs);
    this.#singleOutput = !Array.isArray(args.outputs);
    for (const t of [...this.inputs, ...this.outputs]) {
      if (!(t instanceof KerasTensor) || t.history === undefined)
        throw new ConfigError(`keras.model: inputs and outputs must be KerasTensors from keras.input and layer.apply`);
    }
    for (const t of this.inputs) {
      if (!(t.history!.layer instanceof InputLayer))
        throw new ConfigError(`keras.model: input '${t.name}' is not the output of keras.input`);
    }
    const { nodes, layers } = topologicalOrder(this.inputs, this.outputs);
    this.#nodes = nodes;
    this.#layers = layers;
    this.built = true;
  }

  override get inputs(): KerasTensor[] {
    return this.#inputs;
  }

  override get outputs(): KerasTensor[] {
    return this.#outputs;
  }

  /** Input layers, in input order. */
  get inputLayers(): InputLayer[] {
    return this.inputs.map((t) => t.history!.layer as InputLayer);
  }

  override get inputNames(): string[] {
    return this.inputs.map((t) => t.history!.layer.name);
  }

  override get outputNames(): string[] {
    return this.outputs.map((t) => t.history!.layer.name);
  }

  protected override trackedLayers(): Layer[] {
    return this.#layers;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], options: CallOptions = {}): tf.Tensor | tf.Tensor[] {
    const given = toList(inputs);
    if (given.length !== this.inputs.length) {
      throw new InputShapeError(
        `Model '${this.name}' expects ${this.inputs.length} input(s) (${this.inputNames.join(", ")}), received ${given.length}`,
      );
    }
    const values = new Map<KerasTensor, tf.Tensor>();
    this.inputs.forEach((symbolic, i) => {
      const t = given[i]!;
      checkCompatible(this.name, symbolic, t);
      values.set(symbolic, t);
    });
    for (const node of this.#nodes) {
      const args = node.inputs.map((s) => values.get(s)!);
      const out = toList(
        node.layer.apply(node.singleInput ? args[0]! : args, { ...node.callArgs, training: options.training }) as tf.Tensor | tf.Tensor[],
      );
      node.outputs.forEach((s, i) => values.set(s, out[i]!));
    }
    const outputs = this.outputs.map((s) => values.get(s)!);
    return this.#singleOutput ? outputs[0]! : outputs;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const batch = (Array.isArray(inputShape[0]) ? (inputShape as Shape[])[0]![0] : (inputShape as Shape)[0]) ?? null;
    const shapes = this.outputs.map((t) => [batch, ...t.shape.slice(1)]);
    return this.#singleOutput ? shapes[0]! : shapes;
  }

  protected override computeOutputDType(): tf.DType[] {
    return this.outputs.map((t) => t.dtype);
  }

  override getConfig(): ConfigDict {
    const inModel = new Set(this.#nodes.map((n) => n) as Node[]);
    for (const t of this.inputs) inModel.add(t.history!.layer.inboundNodes[0]!);
    // Node indices are renumbered to count only this model's nodes of each layer (Keras's node conversion).
    const nodeIndex = (layer: Layer, index: number) => layer.inboundNodes.slice(0, index).filter((n) => inModel.has(n)).length;
    const ref = (t: KerasTensor) => [t.history!.layer.name, nodeIndex(t.history!.layer, t.history!.nodeIndex), t.history!.tensorIndex];
    const layers = this.#layers.map((layer) => {
      const inbound =
        layer instanceof InputLayer
          ? []
          : layer.inboundNodes.filter((n) => inModel.has(n)).map((n) => n.inputs.map((t) => [...ref(t), n.callArgs as ConfigDict]));
      return { name: layer.name, className: layer.getClassName(), config: layer.getConfig(), inboundNodes: inbound as ConfigValue };
    });
    return { name: this.name, layers, inputLayers: this.inputs.map(ref), outputLayers: this.outputs.map(ref) } as ConfigDict;
  }

  /** Rebuilds a functional model from its config, creating layers through the class registry. */
  static override fromConfig(config: ConfigDict, registry: ClassRegistry = classes): Functional {
    return functionalFromConfig(config, registry);
  }
}
classes.register(Functional as never, "Functional");
classes.register(Functional as never, "Model");

function checkCompatible(model: string, expected: KerasTensor, actual: tf.Tensor): void {
  const e = expected.shape;
  const a = actual.shape;
  if (a.length !== e.length || e.some((d, i) => d !== null && a[i] !== null && d !== a[i])) {
    throw new InputShapeError(
      `Model '${model}': input '${expected.name}' expects shape ${formatKerasShape(e)}, received a tensor of shape ${formatKerasShape(a)}`,
    );
  }
}

/** Nodes reachable backwards from `outputs`, in an order where every node follows its inputs. */
function topologicalOrder(inputs: KerasTensor[], outputs: KerasTensor[]): { nodes: Node[]; layers: Layer[] } {
  const inputSet = new Set(inputs);
  const visited = new Set<Node>();
  const order: Node[] = [];
  const visit = (t: KerasTensor, path: Set<Node>) => {
    if (inputSet.has(t)) return;
    const { layer, nodeIndex } = t.history!;
    const node = layer.inboundNodes[nodeIndex]!;
    if (node.inputs.length === 0)
      throw new ConfigError(`keras.model: output depends on input '${t.name}', which is not among the model's inputs`);
    if (visited.has(node)) return;
    if (path.has(node)) throw new ConfigError("keras.model: the layer graph has a cycle");
    path.add(node);
    for (const i of node.inputs) visit(i, path);
    path.delete(node);
    visited.add(node);
    order.push(node);
  };
  for (const o of outputs) visit(o, new Set());
  const layers: Layer[] = [];
  for (const t of inputs) if (!layers.includes(t.history!.layer)) layers.push(t.history!.layer);
  for (const n of order) if (!layers.includes(n.layer)) layers.push(n.layer);
  return { nodes: order, layers };
}

type NodeRef = [string, number, number, ConfigDict?];

/** Builds the layers of a functional config and replays their calls in dependency order. */
function functionalFromConfig(config: ConfigDict, registry: ClassRegistry): Functional {
  const layerConfigs = config.layers as unknown as { name: string; className: string; config: ConfigDict; inboundNodes: NodeRef[][] }[];
  if (!Array.isArray(layerConfigs)) throw new ModelFormatError("Functional config: 'layers' must be an array");
  const created = new Map<string, Layer>();
  // Per layer, the symbolic outputs of each of its (model-local) nodes.
  const outputs = new Map<string, KerasTensor[][]>();
  for (const entry of layerConfigs) {
    const layer = registry.deserialize<Layer>({ className: entry.className, config: { ...entry.config, name: entry.name } }, "layer");
    if (!(layer instanceof Layer)) throw new ModelFormatError(`Functional config: class '${entry.className}' is not a layer`);
    created.set(entry.name, layer);
    outputs.set(entry.name, layer instanceof InputLayer ? [[layer.output]] : []);
  }
  const pending = layerConfigs.filter((e) => !(created.get(e.name) instanceof InputLayer)).map((e) => ({ entry: e, next: 0 }));
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const item of pending) {
      while (item.next < item.entry.inboundNodes.length) {
        const refs = item.entry.inboundNodes[item.next]!;
        const inputs = refs.map(([name, node, tensor]) => outputs.get(name)?.[node]?.[tensor]);
        if (inputs.some((t) => t === undefined)) break;
        const kwargs = refs[0]?.[3] ?? {};
        const result = created
          .get(item.entry.name)!
          .apply(inputs.length === 1 ? inputs[0]! : (inputs as KerasTensor[]), kwargs as CallOptions);
        outputs.get(item.entry.name)!.push(toList(result as KerasTensor | KerasTensor[]));
        item.next++;
        progressed = true;
      }
    }
  }
  const unresolved = pending.filter((p) => p.next < p.entry.inboundNodes.length);
  if (unresolved.length > 0)
    throw new ModelFormatError(
      `Functional config: cannot connect layer(s) ${unresolved.map((p) => `'${p.entry.name}'`).join(", ")}: their inputs never appear`,
    );
  const resolve = (refs: ConfigValue, what: string): KerasTensor[] => {
    if (!Array.isArray(refs)) throw new ModelFormatError(`Functional config: '${what}' must be an array`);
    return (refs as unknown as NodeRef[]).map(([name, node, tensor]) => {
      const t = outputs.get(name)?.[node]?.[tensor];
      if (t === undefined) throw new ModelFormatError(`Functional config: ${what} refers to unknown tensor ${name}[${node}][${tensor}]`);
      return t;
    });
  };
  const ins = resolve(config.inputLayers!, "inputLayers");
  const outs = resolve(config.outputLayers!, "outputLayers");
  return new Functional({
    inputs: ins.length === 1 ? ins[0]! : ins,
    outputs: outs.length === 1 ? outs[0]! : outs,
    name: config.name as string,
  });
}
