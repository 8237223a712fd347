/**
 * `Layer`: the unit of Keras models. A layer owns variables (created in `build`, from the
 * first input shape), computes outputs in `call(inputs, { training })`, and is applied with
 * `apply`: on real tensors it runs `call`; on symbolic `KerasTensor`s it records a node of
 * the functional graph and returns symbolic outputs. Subclass it like Keras 3:
 *
 * ```ts
 * class Scale extends keras.layers.Layer {
 *   static className = "Scale";
 *   w!: tf.Variable;
 *   override build(inputShape: keras.Shape) { this.w = this.addWeight("w", [inputShape.at(-1)!], "float32", keras.initializers.ones()); }
 *   override call(x: tf.Tensor) { return tf.mul(x, this.w); }
 * }
 * ```
 */
import * as tf from "@kiln/core";
import { type Constraint, getConstraint } from "../constraints.js";
import { ConfigError, InputShapeError, ModelStateError } from "../errors.js";
import { getInitializer, type Initializer, type InitializerIdentifier, Zeros } from "../initializers.js";
import { getRegularizer, type Regularizer } from "../regularizers.js";
import { batchSizeOf } from "../utils/dynamic.js";
import { createVariable } from "../utils/variables.js";
import type { Shape } from "../utils/shape.js";
import { currentCallContext, withCallContext } from "./call_context.js";
import { checkInputSpec, type InputSpec } from "./input_spec.js";
import { isSymbolic, KerasTensor } from "./keras_tensor.js";
import { getMask, type MaskArg, setMask } from "./masking.js";
import { names, snakeCaseClassName } from "./naming.js";
import { Node } from "./node.js";
import type { ConfigDict, SerializedObject } from "./serialization.js";

/** Options every layer accepts (tfjs-layers' `LayerArgs`). */
export interface LayerArgs {
  name?: string;
  trainable?: boolean;
  dtype?: tf.DType;
  /** Shape of one sample, without the batch dimension (first layer of a model). */
  inputShape?: Shape;
  /** Shape including the batch dimension (`null` for any batch size). */
  batchInputShape?: Shape;
  batchSize?: number;
  /** Never trace this layer: `fit`/`evaluate`/`predict` run eagerly (needs `runEagerly: true`, SPEC I2). */
  dynamic?: boolean;
  /** Initial weight values, set once the layer is built. */
  weights?: tf.Tensor[];
  /** An activity regularizer applied to the layer's output and added to the loss. */
  activityRegularizer?: Regularizer | SerializedObject | string;
}

/** Options of a layer call. */
export interface CallOptions {
  /** Training mode (dropout active, batch statistics used). Inherited from the enclosing call when omitted. */
  training?: boolean;
  /** The inputs' masks (found on the input tensors by `apply` when not given): one, or one per input. */
  mask?: MaskArg;
  [key: string]: unknown;
}

/** What a layer accepts: concrete tensors, or symbolic ones to build a functional model. */
export type LayerInput = tf.Tensor | tf.Tensor[] | KerasTensor | KerasTensor[];

type WeightRegularizer = { variable: tf.Variable; regularizer: Regularizer };

/** Flattens an input or output value into a list. */
export function toList<T>(value: T | readonly T[]): T[] {
  return Array.isArray(value) ? [...(value as T[])] : [value as T];
}

/** Keras's base layer. Subclasses override `build`, `call`, `computeOutputShape` and `getConfig`. */
export class Layer {
  /** The class name written to saved models; subclasses set their own. */
  static className = "Layer";
  name: string;
  /** Whether the layer's weights are updated by training. Recompile after changing it. */
  trainable: boolean;
  readonly dtype: tf.DType;
  readonly dynamic: boolean;
  built = false;
  /** Input shape given at construction (with the batch dimension), if any. */
  batchInputShape: Shape | undefined;
  inputSpec: (InputSpec | undefined)[] | undefined;
  readonly activityRegularizer: Regularizer | undefined;
  /** Calls of this layer on symbolic tensors, in order. */
  readonly inboundNodes: Node[] = [];
  /** Whether `getConfig` should write `batchInputShape`/`dtype` (the layer was given an input shape). */
  protected readonly hasInputShapeConfig: boolean;
  /**
   * Whether the layer passes its input's mask on unchanged (`computeMask`'s default) instead
   * of dropping it. Layers that make or change masks override `computeMask`.
   */
  supportsMasking = false;
  /**
   * The prefix of this layer's weight names (`<prefix>/kernel`); its own name unless a
   * wrapper set it before the build (an RNN names its cell's weights after itself, as
   * tfjs-layers does, so files match).
   */
  weightPrefix: string | undefined;
  #trainableWeights: tf.Variable[] = [];
  #nonTrainableWeights: tf.Variable[] = [];
  #weightRegularizers: WeightRegularizer[] = [];
  #initialWeights: tf.Tensor[] | undefined;

  constructor(args: LayerArgs = {}) {
    const className = (this.constructor as typeof Layer).className;
    this.name = args.name ?? names.unique(snakeCaseClassName(className));
    this.trainable = args.trainable ?? true;
    this.dtype = args.dtype ?? "float32";
    this.dynamic = args.dynamic ?? false;
    if (args.batchInputShape !== undefined) this.batchInputShape = [...args.batchInputShape];
    else if (args.inputShape !== undefined) this.batchInputShape = [args.batchSize ?? null, ...args.inputShape];
    this.hasInputShapeConfig = this.batchInputShape !== undefined;
    this.activityRegularizer = getRegularizer(args.activityRegularizer);
    this.#initialWeights = args.weights;
  }

  /** Creates the layer's weights for inputs of `inputShape` (with batch dimension). Called once, before the first call. */
  build(_inputShape: Shape | Shape[]): void {
    this.built = true;
  }

  /**
   * The mask of the output(s), given the inputs and their mask(s). By default the input's
   * mask passes through when `supportsMasking`, and is dropped otherwise.
   *
   * ```ts
   * override computeMask(inputs: tf.Tensor | tf.Tensor[], mask?: keras.MaskArg) { return undefined; } // consumes the mask
   * ```
   */
  computeMask(_inputs: tf.Tensor | tf.Tensor[], mask?: MaskArg): MaskArg {
    if (!this.supportsMasking) return undefined;
    return Array.isArray(mask) ? mask[0] : mask;
  }

  /** Whether `call` itself leaves the right masks on its outputs (models: their inner layers did), so `apply` keeps them. */
  protected masksSetByCall(): boolean {
    return false;
  }

  /** The computation. Receives what `apply` was given (one tensor or an array) and the call options. */
  call(inputs: tf.Tensor | tf.Tensor[], _options: CallOptions = {}): tf.Tensor | tf.Tensor[] {
    return inputs;
  }

  /**
   * The output shape(s) for input shape(s), without running on data. The default traces
   * `call` once with `tf.TensorSpec`s of those shapes; built-in layers compute it directly.
   */
  computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return this.tracedOutputShape(inputShape);
  }

  /** The last traced output specs, and whether `call` returned a list. */
  #specCache: { key: string; specs: { shape: Shape; dtype: tf.DType }[]; list: boolean } | undefined;

  /** The output shape(s) of `call`, found by tracing it (inputs of `dtypes`, default the layer's dtype). */
  private tracedOutputShape(inputShape: Shape | Shape[], dtypes?: tf.DType[]): Shape | Shape[] {
    const specs = this.traceOutputSpecs(inputShape, dtypes);
    return this.#specCache!.list ? specs.map((s) => s.shape) : specs[0]!.shape;
  }

  /** Output shapes and dtypes of `call` for symbolic inputs, found by tracing it once. */
  protected traceOutputSpecs(inputShape: Shape | Shape[], dtypes?: tf.DType[]): { shape: Shape; dtype: tf.DType }[] {
    const shapes = isShapeList(inputShape) ? inputShape : [inputShape];
    const key = JSON.stringify([shapes, dtypes]);
    if (this.#specCache?.key === key) return this.#specCache.specs;
    const multiple = isShapeList(inputShape);
    const fn = tf.function((...xs: tf.Tensor[]) => withCallContext(false, () => this.call(multiple ? xs : xs[0]!, { training: false })), {
      autograph: false,
      name: `${this.name}_output_spec`,
    });
    try {
      const cf = fn.getConcreteFunction(...shapes.map((s, i) => new tf.TensorSpec(s, dtypes?.[i] ?? this.dtype)));
      const out = cf.structuredOutputs;
      const specs = toList(out as tf.Tensor | tf.Tensor[]).map((t) => ({ shape: [...t.shape] as Shape, dtype: t.dtype }));
      this.#specCache = { key, specs, list: Array.isArray(out) };
      return specs;
    } finally {
      fn.dispose();
    }
  }

  /** Output dtype(s) for symbolic inputs: the dtypes the trace found, else the layer's dtype. */
  protected computeOutputDType(_inputs: KerasTensor[], outputCount: number): tf.DType[] {
    const traced = this.#specCache?.specs;
    return Array.from({ length: outputCount }, (_, i) => traced?.[i]?.dtype ?? this.dtype);
  }

  /**
   * Applies the layer. On tensors: builds it if needed, checks the input spec and runs
   * `call` (adding activity losses). On `KerasTensor`s: records a functional-API node and
   * returns symbolic outputs.
   *
   * ```ts
   * const y = keras.layers.dense({ units: 3 }).apply(tf.ones([2, 4])) as tf.Tensor; // [2, 3]
   * ```
   */
  apply(inputs: LayerInput, options: CallOptions = {}): any {
    if (isSymbolic(inputs)) return this.applySymbolic(inputs, options);
    const list = toList(inputs as tf.Tensor | tf.Tensor[]);
    for (const [i, t] of list.entries()) {
      if (!(t instanceof tf.Tensor)) {
        throw new InputShapeError(`Layer '${this.name}': input ${i} must be a tf.Tensor or a KerasTensor, received ${describe(t)}`);
      }
    }
    const shapes = list.map((t) => [...t.shape] as Shape);
    this.maybeBuild(Array.isArray(inputs) ? shapes : shapes[0]!);
    this.checkInputs(shapes);
    const mask = "mask" in options ? options.mask : inputMasks(inputs as tf.Tensor | tf.Tensor[]);
    return withCallContext(options.training, (context) => {
      const callOptions: CallOptions = { ...options, training: context.training };
      if (mask === undefined) delete callOptions.mask;
      else callOptions.mask = mask;
      const output = this.call(inputs as tf.Tensor | tf.Tensor[], callOptions);
      if (this.activityRegularizer !== undefined) {
        for (const o of toList(output)) context.losses.push(tf.div(this.activityRegularizer.apply(o), batchSizeOf(o)));
      }
      if (!this.masksSetByCall()) attachMasks(output, this.computeMask(inputs as tf.Tensor | tf.Tensor[], mask), list);
      return output;
    });
  }

  /** Calls the layer like a function (Keras's `layer(x)`): the same as `apply`. */
  invoke(inputs: LayerInput, options: CallOptions = {}): any {
    return this.apply(inputs, options);
  }

  private applySymbolic(inputs: KerasTensor | KerasTensor[], options: CallOptions): KerasTensor | KerasTensor[] {
    const list = toList(inputs);
    const shapes = list.map((t) => t.shape);
    const shapeArg = Array.isArray(inputs) ? shapes : shapes[0]!;
    this.maybeBuild(shapeArg);
    this.checkInputs(shapes);
    const outShape = this.symbolicOutputShape(
      shapeArg,
      list.map((t) => t.dtype),
    );
    const outShapes = isShapeList(outShape) ? outShape : [outShape];
    const dtypes = this.symbolicOutputDTypes(list, outShapes.length);
    const nodeIndex = this.inboundNodes.length;
    const outputs = outShapes.map((s, i) => {
      const t = new KerasTensor(s, dtypes[i]!, `${this.name}/${nodeIndex}/${i}`);
      t.history = { layer: this, nodeIndex, tensorIndex: i };
      return t;
    });
    const { training: _training, ...callArgs } = options;
    this.inboundNodes.push(new Node(this, list, outputs, callArgs, !Array.isArray(inputs)));
    return isShapeList(outShape) ? outputs : outputs[0]!;
  }

  /** The output shape used for symbolic calls (a hook for models, which compute it through their graph). */
  protected symbolicOutputShape(inputShape: Shape | Shape[], dtypes: tf.DType[]): Shape | Shape[] {
    // Layers without their own computeOutputShape are traced with the real input dtypes.
    if (this.computeOutputShape === Layer.prototype.computeOutputShape) return this.tracedOutputShape(inputShape, dtypes);
    return this.computeOutputShape(inputShape);
  }

  /** The output dtypes used for symbolic calls. */
  protected symbolicOutputDTypes(inputs: KerasTensor[], count: number): tf.DType[] {
    return this.computeOutputDType(inputs, count);
  }

  /** Builds the layer once, eagerly, and sets initial weights given at construction. */
  protected maybeBuild(inputShape: Shape | Shape[]): void {
    if (this.built) return;
    tf.initScope(() => this.build(inputShape));
    this.built = true;
    if (this.#initialWeights !== undefined) {
      this.setWeights(this.#initialWeights);
      this.#initialWeights = undefined;
    }
  }

  private checkInputs(shapes: Shape[]): void {
    const specs = this.inputSpec;
    if (specs === undefined) return;
    shapes.forEach((s, i) => checkInputSpec(this.name, i, specs[i] ?? specs[0], s));
  }

  /**
   * Creates a weight of this layer (tfjs's argument order). Its variable is named
   * `<layer>/<name>`; a regularizer adds to the model's loss; a constraint is applied after
   * each optimizer update.
   *
   * ```ts
   * this.kernel = this.addWeight("kernel", [inDim, units], "float32", keras.initializers.glorotUniform());
   * ```
   */
  addWeight(
    name: string,
    shape: readonly (number | null | undefined)[],
    dtype?: tf.DType,
    initializer?: Initializer | InitializerIdentifier,
    regularizer?: Regularizer,
    trainable = true,
    constraint?: Constraint | string,
  ): tf.Variable {
    if (shape.some((d) => typeof d !== "number" || !Number.isInteger(d) || d < 0)) {
      throw new InputShapeError(
        `Layer '${this.name}': weight '${name}' needs a fully known shape, received [${shape.join(", ")}]; is the input shape known?`,
      );
    }
    const init = getInitializer(initializer, new Zeros());
    const resolvedConstraint = getConstraint(constraint);
    const concreteShape = shape as number[];
    const variable = createVariable(() => init.apply(concreteShape, dtype ?? this.dtype), {
      name: `${this.weightPrefix ?? this.name}/${name}`,
      trainable,
      ...(dtype === undefined ? {} : { dtype }),
      ...(resolvedConstraint === undefined ? {} : { constraint: (v: tf.Tensor) => resolvedConstraint.apply(v) }),
    });
    (trainable ? this.#trainableWeights : this.#nonTrainableWeights).push(variable);
    if (regularizer !== undefined) this.#weightRegularizers.push({ variable, regularizer });
    return variable;
  }

  /**
   * Adds a loss tensor from inside `call` (e.g. an activity penalty); the training step adds
   * it to the compiled loss. Outside a call it is ignored.
   */
  addLoss(loss: tf.Tensor): void {
    currentCallContext()?.losses.push(loss);
  }

  /** Layers nested in this one: properties holding a Layer or an array of Layers (Keras's auto-tracking). */
  protected trackedLayers(): Layer[] {
    const found: Layer[] = [];
    for (const value of Object.values(this)) {
      if (value instanceof Layer && value !== this) found.push(value);
      else if (Array.isArray(value)) for (const item of value) if (item instanceof Layer && item !== this) found.push(item);
    }
    return found;
  }

  /** Variables updated by training: this layer's and its nested layers' (none when `trainable` is false). */
  get trainableWeights(): tf.Variable[] {
    if (!this.trainable) return [];
    return unique([...this.#trainableWeights, ...this.trackedLayers().flatMap((l) => l.trainableWeights)]);
  }

  /** Variables not updated by gradients (moving statistics, frozen weights). */
  get nonTrainableWeights(): tf.Variable[] {
    const nested = this.trackedLayers();
    if (!this.trainable) {
      return unique([...this.#trainableWeights, ...this.#nonTrainableWeights, ...nested.flatMap((l) => l.weights)]);
    }
    return unique([...this.#nonTrainableWeights, ...nested.flatMap((l) => l.nonTrainableWeights)]);
  }

  /** All weights: trainable first, then non-trainable (tfjs's order, used by get/setWeights and saving). */
  get weights(): tf.Variable[] {
    return unique([...this.trainableWeights, ...this.nonTrainableWeights]);
  }

  /** Keras 3 name of `weights`. */
  get variables(): tf.Variable[] {
    return this.weights;
  }

  /** Keras 3 name of `trainableWeights`. */
  get trainableVariables(): tf.Variable[] {
    return this.trainableWeights;
  }

  /** Keras 3 name of `nonTrainableWeights`. */
  get nonTrainableVariables(): tf.Variable[] {
    return this.nonTrainableWeights;
  }

  /** Weight regularization penalties of this layer and nested layers (scalars), recomputed on each call. */
  regularizationLosses(): tf.Tensor[] {
    const own = this.trainable ? this.#weightRegularizers.map(({ variable, regularizer }) => regularizer.apply(variable.read())) : [];
    return [...own, ...this.trackedLayers().flatMap((l) => l.regularizationLosses())];
  }

  /**
   * Copies of the weights' current values (eager tensors the caller owns), in `weights` order.
   *
   * ```ts
   * const [kernel, bias] = dense.getWeights();
   * ```
   */
  getWeights(): tf.Tensor[] {
    // Reads are snapshots: later training does not change them.
    return this.weights.map((v) => v.read());
  }

  /**
   * Sets every weight from `values`, in `weights` order. Checks all shapes first, so a
   * mismatch changes nothing.
   *
   * ```ts
   * dense.setWeights([tf.ones([4, 3]), tf.zeros([3])]);
   * ```
   */
  setWeights(values: readonly tf.Tensor[]): void {
    const weights = this.weights;
    if (values.length !== weights.length) {
      throw new InputShapeError(`Layer '${this.name}': setWeights expects ${weights.length} tensors, received ${values.length}`);
    }
    weights.forEach((v, i) => {
      const value = values[i]!;
      if (value.shape.length !== v.shape.length || value.shape.some((d, j) => d !== v.shape[j])) {
        throw new InputShapeError(
          `Layer '${this.name}': weight '${v.name}' has shape [${v.shape.join(",")}], but the value given has shape [${value.shape.join(",")}]`,
        );
      }
    });
    weights.forEach((v, i) => v.assign(values[i]!).dispose());
  }

  /** Number of scalars in the layer's weights. */
  countParams(): number {
    if (!this.built)
      throw new ModelStateError(`Layer '${this.name}' is not built yet, so it has no weights to count; call it on an input first`);
    return this.weights.reduce((n, v) => n + v.shape.reduce<number>((a, b) => a * (b ?? 0), 1), 0);
  }

  /** The layer's input shape (from its first symbolic call, or the shape it was given). */
  get inputShape(): Shape | Shape[] {
    const node = this.inboundNodes[0];
    if (node === undefined) {
      if (this.batchInputShape !== undefined) return this.batchInputShape;
      throw new ModelStateError(`Layer '${this.name}' has never been called on a symbolic input, so its input shape is not defined`);
    }
    const shapes = node.inputs.map((t) => t.shape);
    return node.singleInput ? shapes[0]! : shapes;
  }

  /** The layer's output shape (from its first symbolic call). */
  get outputShape(): Shape | Shape[] {
    const node = this.inboundNodes[0];
    if (node === undefined)
      throw new ModelStateError(`Layer '${this.name}' has never been called on a symbolic input, so its output shape is not defined`);
    const shapes = node.outputs.map((t) => t.shape);
    return shapes.length === 1 ? shapes[0]! : shapes;
  }

  /** The registered class name (written to saved models). */
  getClassName(): string {
    return (this.constructor as typeof Layer).className;
  }

  /** The layer's configuration: enough to rebuild it with `fromConfig` (weights not included). */
  getConfig(): ConfigDict {
    const config: ConfigDict = { name: this.name, trainable: this.trainable };
    if (this.hasInputShapeConfig && this.batchInputShape !== undefined) {
      config.batchInputShape = this.batchInputShape;
      config.dtype = this.dtype;
    }
    return config;
  }

  /** Rebuilds a layer from its config (subclasses with other constructor arguments override it). */
  static fromConfig(this: new (args: any) => Layer, config: ConfigDict): Layer {
    return new this(config as LayerArgs);
  }

  /** Frees the layer's variables. The layer must not be used afterwards. */
  dispose(): void {
    for (const v of [...this.#trainableWeights, ...this.#nonTrainableWeights]) v.dispose();
    for (const layer of this.trackedLayers()) layer.dispose();
  }

  toString(): string {
    return `<${this.getClassName()} '${this.name}'>`;
  }
}

/** The masks attached to a layer's input tensors: one mask, one per input, or undefined when none has one. */
function inputMasks(inputs: tf.Tensor | tf.Tensor[]): MaskArg {
  if (!Array.isArray(inputs)) return getMask(inputs);
  const found = inputs.map(getMask);
  return found.some((m) => m !== undefined) ? found : undefined;
}

/**
 * Attaches computed masks to a layer's output tensor(s). An output that is one of the inputs
 * (a pass-through) keeps the mask it has: it may feed other layers too.
 */
function attachMasks(output: tf.Tensor | tf.Tensor[], mask: MaskArg, inputs: readonly tf.Tensor[]): void {
  const outputs = toList(output);
  outputs.forEach((o, i) => {
    if (inputs.includes(o)) return;
    setMask(o, Array.isArray(mask) ? mask[i] : i === 0 ? mask : undefined);
  });
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/** Whether a shape argument is a list of shapes (a multi-input layer) rather than one shape. */
export function isShapeList(shape: Shape | Shape[]): shape is Shape[] {
  return shape.length > 0 && Array.isArray(shape[0]);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return typeof value === "object" ? ((value as object).constructor?.name ?? "object") : `${typeof value} ${String(value)}`;
}

/** Requires a config value to be present, naming the layer class and option. */
export function requireOption<T>(value: T | undefined | null, layer: string, option: string): T {
  if (value === undefined || value === null) throw new ConfigError(`${layer}: option '${option}' is required`);
  return value;
}
