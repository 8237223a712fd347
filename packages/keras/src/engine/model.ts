/**
 * `Model`: a layer that trains. `compile` resolves the optimizer, losses and metrics;
 * `fit`/`evaluate`/`predict` (and the `*OnBatch` forms) run steps that are traced
 * `tf.function`s unless `runEagerly` or a `dynamic` layer turns tracing off (SPEC I2, M2).
 * Subclass it like Keras 3, or build it with `keras.model` / `keras.sequential`.
 *
 * ```ts
 * class MLP extends keras.Model {
 *   hidden = keras.layers.dense({ units: 32, activation: "relu" });
 *   out = keras.layers.dense({ units: 10 });
 *   override call(x: tf.Tensor, { training }: keras.CallOptions = {}) { return this.out.apply(this.hidden.apply(x)); }
 * }
 * ```
 */
import * as tf from "@kiln/core";
import type { History, Logs } from "../callbacks/callback.js";
import { ConfigError, InputShapeError, ModelStateError } from "../errors.js";
import { formatKerasShape } from "../utils/shape.js";
import type { KerasTensor } from "./keras_tensor.js";
import type { IOHandler, SaveResult } from "../io/artifacts.js";
import { type SaveOptions, saveModel } from "../io/save.js";
import { type Loss, LossFunctionWrapper } from "../losses/loss.js";
import type { Metric } from "../metrics/metric.js";
import * as optimizers from "../optimizers/index.js";
import type { Optimizer } from "../optimizers/optimizer.js";
import { CompiledLossAndMetrics, type LossIdentifier, type MetricIdentifier } from "../training/compiled.js";
import { type BatchSource, iterateBatches, sampleCount, type TensorInput, toTensorList } from "../training/data.js";
import { evaluateLoop, type ModelEvaluateArgs, predictLoop } from "../training/evaluate.js";
import { fitDatasetLoop, fitLoop, type ModelFitArgs } from "../training/fit.js";
import { readLogs } from "../training/logs.js";
import { makeMultiStepTrainFunction, makePredictFunction, makeTestFunction, makeTrainFunction, type StepLogs } from "../training/steps.js";
import { Layer, toList } from "./layer.js";
import { type PrintFn, summarize } from "./summary.js";

/** Options of `compile` (tfjs-layers' `ModelCompileArgs` plus Keras 3's `runEagerly` and `stepsPerExecution`). */
export interface ModelCompileArgs {
  optimizer: string | Optimizer;
  loss?: LossIdentifier | LossIdentifier[] | Record<string, LossIdentifier>;
  metrics?: MetricIdentifier[] | Record<string, MetricIdentifier | MetricIdentifier[]>;
  lossWeights?: number[] | Record<string, number>;
  /** Run steps as plain JS, op by op (no tracing). Default: false, or true when a layer is dynamic. */
  runEagerly?: boolean;
  /** Training steps per traced call (a `tf.whileLoop` over that many batches). Default 1. */
  stepsPerExecution?: number;
}

interface CompiledState {
  readonly optimizer: Optimizer;
  readonly lossAndMetrics: CompiledLossAndMetrics;
  readonly runEagerly: boolean;
  readonly stepsPerExecution: number;
  trainFn?: ReturnType<typeof makeTrainFunction>;
  multiStepFn?: ReturnType<typeof makeMultiStepTrainFunction>;
  testFn?: ReturnType<typeof makeTestFunction>;
}

/** Keras's `Model`. */
export class Model extends Layer {
  static override className = "Model";
  /** Set by callbacks (EarlyStopping, TerminateOnNaN) to end `fit` after the current batch. */
  stopTraining = false;
  history: History | undefined;
  #compiled: CompiledState | undefined;
  #predictFn: { eager: boolean; fn: ReturnType<typeof makePredictFunction> } | undefined;

  /** The model's layers (tracked attributes for subclassed models, the graph's layers for functional ones). */
  get layers(): Layer[] {
    return this.trackedLayers();
  }

  /** A layer by name or index. */
  getLayer(nameOrIndex: string | number): Layer {
    const layers = this.layers;
    const layer = typeof nameOrIndex === "number" ? layers[nameOrIndex] : layers.find((l) => l.name === nameOrIndex);
    if (layer === undefined)
      throw new ConfigError(
        `Model '${this.name}' has no layer ${JSON.stringify(nameOrIndex)} (layers: ${layers.map((l) => l.name).join(", ")})`,
      );
    return layer;
  }

  /** Names of the model inputs, in order (for name-keyed `x`). */
  get inputNames(): string[] {
    return ["input"];
  }

  /** Names of the model outputs, in order (for name-keyed `y`, losses and metrics). */
  get outputNames(): string[] {
    return ["output"];
  }

  /**
   * The symbolic inputs, when the model knows them (functional and Sequential models with an
   * input shape); subclassed models return none and check shapes inside their layers.
   */
  get inputs(): KerasTensor[] {
    return [];
  }

  /**
   * Checks data against the model's known input shapes before any step runs, so a wrong
   * shape names the model, the input and the layer it feeds instead of failing inside a
   * traced op (traced steps relax dimension sizes, so they cannot catch it).
   */
  checkInputShapes(xs: readonly tf.Tensor[]): void {
    this.inputs.forEach((expected, i) => {
      const actual = xs[i];
      if (actual === undefined) return;
      const e = expected.shape;
      const a = actual.shape;
      if (a.length === e.length && e.every((d, j) => j === 0 || d === null || d === a[j])) return;
      const consumers = this.layers.filter((l) => l.inboundNodes.some((n) => n.inputs.includes(expected))).map((l) => `'${l.name}'`);
      throw new InputShapeError(
        `Model '${this.name}': input ${i} ('${this.inputNames[i]}') expects shape ${formatKerasShape(e)}, received a tensor of shape ${formatKerasShape(a)}` +
          (consumers.length > 0 ? `; it feeds layer ${consumers.join(", ")}` : ""),
      );
    });
  }

  /** The symbolic outputs, when the model knows them. */
  get outputs(): KerasTensor[] {
    return [];
  }

  /**
   * Checks labels against the model's known output shapes and each built-in loss's label
   * rule, before any step runs (a traced step with relaxed shapes would fail inside an op).
   */
  checkTargetShapes(ys: readonly tf.Tensor[]): void {
    const losses = this.#compiled?.lossAndMetrics.losses ?? [];
    this.outputs.forEach((output, i) => {
      const loss = losses[i];
      const y = ys[i];
      if (!(loss instanceof LossFunctionWrapper) || y === undefined) return;
      loss.checkShapes(y.shape, [y.shape[0] ?? null, ...output.shape.slice(1)]);
    });
  }

  /** Every layer that is dynamic, this model included. */
  private dynamicLayers(): Layer[] {
    const found: Layer[] = this.dynamic ? [this] : [];
    const visit = (layer: Layer) => {
      for (const l of (layer as Model).trackedLayers()) {
        if (l.dynamic) found.push(l);
        visit(l);
      }
    };
    visit(this);
    return found;
  }

  /**
   * Configures training: optimizer, loss(es), metrics, and whether steps are traced.
   *
   * ```ts
   * model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
   * ```
   */
  compile(args: ModelCompileArgs): void {
    const dynamic = this.dynamicLayers();
    if (dynamic.length > 0 && args.runEagerly === false) {
      throw new ConfigError(
        `compile: layer '${dynamic[0]!.name}' of model '${this.name}' is dynamic (dynamic: true), so it cannot be traced; ` +
          `remove runEagerly: false (dynamic models run eagerly) or build the layer without dynamic: true (SPEC I2)`,
      );
    }
    const steps = args.stepsPerExecution ?? 1;
    if (!Number.isInteger(steps) || steps < 1)
      throw new ConfigError(`compile: 'stepsPerExecution' must be a positive integer, received ${steps}`);
    if (args.optimizer === undefined) throw new ConfigError("compile: 'optimizer' is required");
    const optimizer = optimizers.get(args.optimizer);
    const lossAndMetrics = new CompiledLossAndMetrics(this.outputNames, args.loss, args.metrics, args.lossWeights);
    this.disposeCompiled();
    this.#compiled = { optimizer, lossAndMetrics, runEagerly: args.runEagerly ?? dynamic.length > 0, stepsPerExecution: steps };
  }

  private get compiled(): CompiledState {
    if (this.#compiled === undefined)
      throw new ModelStateError(
        `Model '${this.name}' must be compiled before training or evaluation: call model.compile({ optimizer, loss })`,
      );
    return this.#compiled;
  }

  /** The compiled optimizer, if any. */
  get optimizer(): Optimizer | undefined {
    return this.#compiled?.optimizer;
  }

  /** Whether steps run eagerly. */
  get runEagerly(): boolean {
    return this.compiled.runEagerly;
  }

  /** Steps per traced call. */
  get stepsPerExecution(): number {
    return this.compiled.stepsPerExecution;
  }

  /** The compiled metrics (loss trackers first). */
  get metrics(): Metric[] {
    return this.#compiled?.lossAndMetrics.allMetrics ?? [];
  }

  /** Names of the values `evaluate` and `trainOnBatch` return, in order (`["loss", "accuracy", ...]`). */
  get metricsNames(): string[] {
    return this.metrics.map((m) => m.name);
  }

  private state() {
    const c = this.compiled;
    return { model: this, compiled: c.lossAndMetrics, optimizer: c.optimizer, eager: c.runEagerly };
  }

  /** The (cached) train step function. */
  trainFunction(): NonNullable<CompiledState["trainFn"]> {
    const c = this.compiled;
    return (c.trainFn ??= makeTrainFunction(this.state()));
  }

  /** The (cached) `stepsPerExecution` train function. */
  multiStepTrainFunction(): NonNullable<CompiledState["multiStepFn"]> {
    const c = this.compiled;
    return (c.multiStepFn ??= makeMultiStepTrainFunction(this.state(), c.stepsPerExecution));
  }

  /** The (cached) test step function. */
  testFunction(): NonNullable<CompiledState["testFn"]> {
    const c = this.compiled;
    return (c.testFn ??= makeTestFunction(this.state()));
  }

  private predictFunction(): ReturnType<typeof makePredictFunction> {
    const eager = this.#compiled?.runEagerly ?? this.dynamicLayers().length > 0;
    if (this.#predictFn === undefined || this.#predictFn.eager !== eager) this.#predictFn = { eager, fn: makePredictFunction(this, eager) };
    return this.#predictFn.fn;
  }

  /**
   * Gets the model ready for traced steps: builds unbuilt layers with one eager forward
   * pass on a single sample, then creates the optimizer's slot variables, so no variable is
   * created inside a later trace or inside a `stepsPerExecution` loop body (SPEC H1).
   */
  prepareTraining(xs: readonly tf.Tensor[]): void {
    const unbuilt = (layer: Layer): boolean => !layer.built || (layer as Model).trackedLayers().some(unbuilt);
    if (unbuilt(this)) {
      tf.tidy(() => {
        const one = xs.map((t) => tf.slice(t, [0, ...t.shape.slice(1).map(() => 0)], [1, ...t.shape.slice(1).map(() => -1)]));
        this.apply(one.length === 1 ? one[0]! : one, { training: false });
      });
    }
    this.compiled.optimizer.build(this.trainableWeights);
  }

  /** Resets every compiled metric. */
  resetMetrics(): void {
    this.#compiled?.lossAndMetrics.resetState();
  }

  /** Current metric results as scalar tensors, by name. */
  metricResults(): StepLogs {
    return this.compiled.lossAndMetrics.results();
  }

  /**
   * Trains for `epochs` over `x`/`y` (tensors, arrays or objects keyed by input/output
   * name) or over a dataset of `{ xs, ys }` batches. Returns the History.
   *
   * ```ts
   * const history = await model.fit(x, y, { epochs: 3, batchSize: 128, validationSplit: 0.1 });
   * history.history.loss; // one value per epoch
   * ```
   */
  async fit(x: TensorInput | BatchSource, y?: TensorInput, args: ModelFitArgs = {}): Promise<History> {
    this.compiled;
    this.history = await fitLoop(this, x, y, args);
    return this.history;
  }

  /** tfjs's `fitDataset`: trains over an async iterable (or tfjs-data Dataset) of `{ xs, ys }` batches. */
  async fitDataset(dataset: BatchSource, args: ModelFitArgs = {}): Promise<History> {
    this.compiled;
    this.history = await fitDatasetLoop(this, dataset, args);
    return this.history;
  }

  /** Validation inside `fit`: evaluates and returns `val_`-prefixed numbers. */
  async evaluateForFit(data: NonNullable<ModelFitArgs["validationData"]>, batchSize: number): Promise<Logs> {
    if (Array.isArray(data)) {
      const [vx, vy, vsw] = data as [TensorInput, TensorInput, tf.Tensor | undefined];
      return readLogs(evaluateLoop(this, vx, vy, { batchSize, ...(vsw === undefined ? {} : { sampleWeight: vsw }) }), "val_");
    }
    const testFn = this.testFunction();
    this.resetMetrics();
    for await (const batch of iterateBatches(data as BatchSource)) {
      const xs = toTensorList(batch.xs, this.inputNames, "xs");
      const ys = toTensorList(batch.ys, this.outputNames, "ys");
      tf.dispose(Object.values(testFn(xs, ys, batch.sampleWeight === undefined ? [] : [batch.sampleWeight])));
    }
    return readLogs(this.metricResults(), "val_");
  }

  /**
   * Loss and metrics over `x`/`y`: a scalar when there are no metrics, else `[loss, ...metrics]` (tfjs's shape).
   *
   * ```ts
   * const [loss, accuracy] = model.evaluate(xTest, yTest) as tf.Tensor[];
   * ```
   */
  evaluate(x: TensorInput, y: TensorInput, args: ModelEvaluateArgs = {}): tf.Tensor | tf.Tensor[] {
    const results = Object.values(evaluateLoop(this, x, y, args));
    return results.length === 1 ? results[0]! : results;
  }

  /**
   * Outputs for `x` in inference mode, batch by batch through the traced predict function.
   *
   * ```ts
   * const probs = model.predict(xTest) as tf.Tensor;
   * ```
   */
  predict(x: TensorInput, args: { batchSize?: number; verbose?: number } = {}): tf.Tensor | tf.Tensor[] {
    const outputs = predictLoop(this.predictFunction(), this.inputNames, x, args.batchSize ?? 32, (xs) => this.checkInputShapes(xs));
    return outputs.length === 1 ? outputs[0]! : outputs;
  }

  /** Outputs for one batch. */
  predictOnBatch(x: TensorInput): tf.Tensor | tf.Tensor[] {
    const xs = toTensorList(x, this.inputNames, "x");
    this.checkInputShapes(xs);
    const outputs = this.predictFunction()(xs);
    return outputs.length === 1 ? outputs[0]! : outputs;
  }

  /** One training step on one batch; returns the loss, or `[loss, ...metrics]`, for that batch (tfjs's signature). */
  async trainOnBatch(x: TensorInput, y: TensorInput, sampleWeight?: tf.Tensor): Promise<number | number[]> {
    const xs = toTensorList(x, this.inputNames, "x");
    const ys = toTensorList(y, this.outputNames, "y");
    sampleCount(xs, ys);
    this.checkInputShapes(xs);
    this.checkTargetShapes(ys);
    this.prepareTraining(xs);
    this.resetMetrics();
    const values = Object.values(await readLogs(this.trainFunction()(xs, ys, sampleWeight === undefined ? [] : [sampleWeight])));
    return values.length === 1 ? values[0]! : values;
  }

  /** Loss and metrics for one batch, without updating weights. */
  testOnBatch(x: TensorInput, y: TensorInput, sampleWeight?: tf.Tensor): tf.Tensor | tf.Tensor[] {
    const xs = toTensorList(x, this.inputNames, "x");
    const ys = toTensorList(y, this.outputNames, "y");
    sampleCount(xs, ys);
    this.checkInputShapes(xs);
    this.checkTargetShapes(ys);
    this.resetMetrics();
    const results = Object.values(this.testFunction()(xs, ys, sampleWeight === undefined ? [] : [sampleWeight]));
    return results.length === 1 ? results[0]! : results;
  }

  /**
   * Prints a Keras-style table of layers, output shapes and parameter counts.
   *
   * ```ts
   * model.summary(); // Model: "sequential" ... Total params: 101,770
   * ```
   */
  summary(lineLength?: number, positions?: number[], printFn: PrintFn = console.log): void {
    summarize(this, { ...(lineLength === undefined ? {} : { lineLength }), ...(positions === undefined ? {} : { positions }), printFn });
  }

  /** The compiled loss of each output (`undefined` before `compile`). */
  get compiledLosses(): (Loss | undefined)[] | undefined {
    return this.#compiled?.lossAndMetrics.losses;
  }

  /**
   * Saves the model in tfjs's LayersModel format to a URL (`file://dir` in Node,
   * `localstorage://`, `indexeddb://`, `downloads://`, `http(s)://`) or an `IOHandler`.
   *
   * ```ts
   * await model.save("file:///tmp/my-model", { includeOptimizer: true });
   * ```
   */
  async save(destination: string | IOHandler, options: SaveOptions = {}): Promise<SaveResult> {
    return saveModel(this, destination, options);
  }

  /** A model's layers attach the masks of its outputs themselves. */
  protected override masksSetByCall(): boolean {
    return true;
  }

  /** The model's outputs for real tensors (subclassed models override `call`). */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    throw new ModelStateError(
      `Model '${this.name}' has no call() for its ${toList(inputs).length} input(s): subclass keras.Model and override call(inputs, { training }), or build it with keras.model / keras.sequential`,
    );
  }

  private disposeCompiled(): void {
    const c = this.#compiled;
    if (c === undefined) return;
    for (const m of c.lossAndMetrics.allMetrics) m.dispose();
    this.#compiled = undefined;
  }

  /** Frees weights, metric state and cached traces. */
  override dispose(): void {
    this.disposeCompiled();
    super.dispose();
  }
}
