/**
 * The jax-js side of the benchmarks: @jax-js/jax 0.1.25 on its wasm device, the same cases as
 * Kiln's with the same shapes (and, for elementwise work, the same input values), each step
 * jitted. jax-js is lazy: every timed call waits for its outputs with `blockUntilReady`
 * (the results are computed in wasm memory, not read back, as on the Kiln side) and then
 * releases them. jax-js arrays are reference-counted and every op consumes its inputs, so
 * inputs kept across calls are passed as `x.ref`.
 *
 * In Node 20 jax-js's wasm device runs on one thread: its worker pool needs the web `Worker`
 * global, which Node does not define.
 *
 * ```ts
 * const jax = await setUpJax();
 * const matMul = await jaxCase("matMul 256", () => jaxMatMul(a, b, 256));
 * if (matMul.run) await matMul.run();
 * ```
 */
import { blockUntilReady, defaultDevice, init, jit, lax, nn, numpy as np, tree, valueAndGrad, vjp } from "@jax-js/jax";
import { randomArray } from "./harness.js";

/** A jax-js case: `run` does one timed call, or `error` says why jax-js cannot run it. */
export interface JaxCase {
  readonly run?: () => Promise<void>;
  readonly error?: string;
  /** Releases the case's arrays and compiled functions. */
  readonly dispose: () => void;
}

/** What jax-js runs on in this process. */
export interface JaxInfo {
  readonly device: string;
  readonly threads: number;
}

/** Starts jax-js's wasm device (only that one: its WebGPU probe throws in Node) and makes it the default. */
export async function setUpJax(): Promise<JaxInfo> {
  const available = await init("wasm");
  if (!available.includes("wasm")) throw new Error(`jax-js: the wasm device did not start (available: ${available.join(", ")})`);
  defaultDevice("wasm");
  return { device: defaultDevice(), threads: typeof (globalThis as { Worker?: unknown }).Worker === "undefined" ? 1 : 0 };
}

/**
 * Builds a case, turning any failure (while building or in a first checked call) into an
 * `error` so that the bench prints why instead of stopping.
 */
export async function jaxCase(name: string, make: () => JaxCase | Promise<JaxCase>): Promise<JaxCase> {
  let made: JaxCase | undefined;
  try {
    made = await make();
    await made.run?.();
    return made;
  } catch (error) {
    made?.dispose();
    const reason = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    console.log(`jax-js cannot run "${name}": ${reason}`);
    return { error: reason, dispose: () => {} };
  }
}

/** Waits for every array of a result and releases them. */
async function settle(result: tree.JsTree<np.Array>): Promise<void> {
  await blockUntilReady(result);
  tree.dispose(result);
}

/** A jax-js float32 array holding `values`. */
function arrayOf(values: Float32Array, shape: number[]): np.Array {
  return np.array(values).reshape(shape);
}

/** The 10-op chain, the same ops and constants as Kiln's: add, mul, relu, neg, exp, sub, abs, sqrt, sigmoid, tanh. */
function chain(x: np.Array, y: np.Array): np.Array {
  return np.tanh(nn.sigmoid(np.sqrt(np.abs(np.exp(np.negative(nn.relu(x.add(y.ref).mul(0.5)))).sub(y)))));
}

/** The 10-op chain on `xv` and `yv` under `jit`; `values` reads one output back, for an agreement check. */
export function jaxChain(xv: Float32Array, yv: Float32Array): JaxCase & { values: () => Promise<Float32Array> } {
  const x = arrayOf(xv, [xv.length]);
  const y = arrayOf(yv, [yv.length]);
  const f = jit(chain);
  return {
    run: () => settle(f(x.ref, y.ref)),
    values: async () => (await f(x.ref, y.ref).data()) as Float32Array,
    dispose: () => {
      tree.dispose([x, y]);
      f.dispose();
    },
  };
}

/** An n x n x n matMul of `av` by `bv` (eager: one op, nothing to fuse). */
export function jaxMatMul(av: Float32Array, bv: Float32Array, n: number): JaxCase {
  const a = arrayOf(av, [n, n]);
  const b = arrayOf(bv, [n, n]);
  return { run: () => settle(np.matmul(a.ref, b.ref)), dispose: () => tree.dispose([a, b]) };
}

/**
 * A contiguous jax-js array of `values` (of `shape`) with its axes permuted, the copy made in
 * JS so that the timed calls get plain row-major inputs, not views.
 *
 * ```ts
 * permuted(nhwc, [32, 13, 13, 32], [0, 3, 1, 2]); // NCHW, shape [32, 32, 13, 13]
 * ```
 */
function permuted(values: Float32Array, shape: number[], perm: number[]): np.Array {
  const outShape = perm.map((axis) => shape[axis]!);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const outStrides = perm.map((axis) => strides[axis]!);
  const result = new Float32Array(values.length);
  const index = outShape.map(() => 0);
  for (let i = 0; i < result.length; i++) {
    result[i] = values[index.reduce((at, k, d) => at + k * outStrides[d]!, 0)]!;
    for (let d = index.length - 1; d >= 0; d--) {
      index[d] = (index[d]! + 1) % outShape[d]!;
      if (index[d] !== 0) break;
    }
  }
  return arrayOf(result, outShape);
}

/** A 3x3 stride-1 "VALID" convolution in jax-js's NCHW layout with an OIHW filter. */
function conv(x: np.Array, w: np.Array): np.Array {
  return lax.conv(x, w, [1, 1], "VALID");
}

/**
 * The cotangent of `f` at `primal` for the output cotangent `dy`, from `vjp`. Under `jit`
 * jax-js keeps only the gradient's work: the primal output that `vjp` traces is unused and
 * dropped (for a conv, the compiled jaxpr is transposes, a flip and one conv).
 *
 * ```ts
 * const dw = cotangent((filter) => conv(x, filter), w, dy);
 * ```
 */
function cotangent(f: (primal: np.Array) => np.Array, primal: np.Array, dy: np.Array): np.Array {
  const [y, back] = vjp(f, [primal]);
  y.dispose();
  const [grad] = back(dy);
  back.dispose();
  return grad;
}

/** The filter's cotangent of `conv(x, w)` for the output cotangent `dy` (Kiln's conv2DBackpropFilter). */
function convFilterGrad(x: np.Array, w: np.Array, dy: np.Array): np.Array {
  return cotangent((filter) => conv(x, filter), w, dy);
}

/** The input's cotangent of `conv(x, w)` for `dy` (Kiln's conv2DBackpropInput); `x` gives only its shape. */
function convInputGrad(x: np.Array, w: np.Array, dy: np.Array): np.Array {
  return cotangent((input) => conv(input, w), x, dy);
}

/** The three conv cases: jax-js function of (x, w, dy) in NCHW / OIHW, and the permutation that takes its output to Kiln's layout. */
const CONV_CASES = {
  forward: {
    f: (x: np.Array, w: np.Array, dy: np.Array) => {
      dy.dispose();
      return conv(x, w);
    },
    toKiln: [0, 2, 3, 1],
  },
  filter: { f: convFilterGrad, toKiln: [2, 3, 1, 0] },
  input: { f: convInputGrad, toKiln: [0, 2, 3, 1] },
} as const;

/** Which conv case: the forward product, or the gradient for the filter or for the input. */
export type ConvKind = keyof typeof CONV_CASES;

/**
 * One conv case on Kiln's values, jitted: `xv` NHWC, `wv` HWIO and `dyv` NHWC as on the Kiln
 * side, transposed once to jax-js's NCHW / OIHW (the same shapes and FLOPs); `values` reads
 * the output back in Kiln's layout (NHWC, or HWIO for the filter's gradient), for an agreement check.
 *
 * ```ts
 * const dw = jaxConv("filter", xv, [32, 13, 13, 32], wv, [3, 3, 32, 64], dyv);
 * await dw.run?.();
 * ```
 */
export function jaxConv(
  kind: ConvKind,
  xv: Float32Array,
  xShape: number[],
  wv: Float32Array,
  wShape: number[],
  dyv: Float32Array,
): JaxCase & { values: () => Promise<Float32Array> } {
  const { f, toKiln } = CONV_CASES[kind];
  const [n, h, wd] = xShape as [number, number, number];
  const [kh, kw, , out] = wShape as [number, number, number, number];
  const x = permuted(xv, xShape, [0, 3, 1, 2]);
  const w = permuted(wv, wShape, [3, 2, 0, 1]);
  const dy = permuted(dyv, [n, h - kh + 1, wd - kw + 1, out], [0, 3, 1, 2]);
  const step = jit(f);
  return {
    run: () => settle(step(x.ref, w.ref, dy.ref)),
    values: async () => (await np.transpose(step(x.ref, w.ref, dy.ref), [...toKiln]).data()) as Float32Array,
    dispose: () => {
      tree.dispose([x, w, dy]);
      step.dispose();
    },
  };
}

/** The jax-js unary ops the benchmarks compare, by Kiln's name. */
const UNARY: Record<string, (x: np.Array) => np.Array> = { exp: np.exp, tanh: np.tanh, sigmoid: nn.sigmoid };

/** One unary op (`exp`, `tanh` or `sigmoid`) on `values` (eager). */
export function jaxUnary(name: string, values: Float32Array): JaxCase {
  const op = UNARY[name];
  if (op === undefined) throw new Error(`jaxUnary: no jax-js op for "${name}"; valid: ${Object.keys(UNARY).join(", ")}`);
  const x = arrayOf(values, [values.length]);
  return { run: () => settle(op(x.ref)), dispose: () => x.dispose() };
}

/** Softmax cross-entropy of logits against one-hot labels, as on the Kiln side. */
function crossEntropy(logits: np.Array, labels: np.Array): np.Array {
  return np.negative(np.mean(np.sum(labels.mul(nn.logSoftmax(logits)), -1)));
}

/** Uniform values in [-scale, scale) from the harness's generator. */
function uniform(shape: number[], scale: number, seed: number): np.Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return arrayOf(
    randomArray(n, seed).map((v) => v * scale),
    shape,
  );
}

/** Inputs in [0, 1) and one-hot labels for a batch. */
function batch(shape: number[], classes: number, seed: number): [np.Array, np.Array] {
  const n = shape.reduce((a, b) => a * b, 1);
  const x = arrayOf(
    randomArray(n, seed).map((v) => (v + 1) / 2),
    shape,
  );
  const labels = new Float32Array(shape[0]! * classes);
  randomArray(shape[0]!, seed + 1).forEach((v, i) => {
    labels[i * classes + Math.min(classes - 1, Math.floor(((v + 1) / 2) * classes))] = 1;
  });
  return [x, arrayOf(labels, [shape[0]!, classes])];
}

/** Adam's state beside the parameters. */
type AdamState = { params: np.Array[]; m: np.Array[]; v: np.Array[]; t: np.Array };

/**
 * One SGD update (lr 0.01) of `params` by `grads`; consumes both.
 */
function sgd(params: np.Array[], grads: np.Array[]): np.Array[] {
  return params.map((p, i) => p.sub(grads[i]!.mul(0.01)));
}

/** One Adam update (lr 0.001, betas 0.9 / 0.999, eps 1e-7, as on the Kiln side); consumes the state and grads. */
function adam(state: AdamState, grads: np.Array[]): AdamState {
  const [b1, b2, lr, eps] = [0.9, 0.999, 0.001, 1e-7];
  const t = state.t.add(1);
  const correction = np.sqrt(np.subtract(1, np.power(b2, t.ref))).div(np.subtract(1, np.power(b1, t.ref)));
  const m = state.m.map((mi, i) => mi.mul(b1).add(grads[i]!.ref.mul(1 - b1)));
  const v = state.v.map((vi, i) => vi.mul(b2).add(np.square(grads[i]!).mul(1 - b2)));
  const params = state.params.map((p, i) => p.sub(m[i]!.ref.mul(correction.ref).mul(lr).div(np.sqrt(v[i]!.ref).add(eps))));
  correction.dispose();
  return { params, m, v, t };
}

/**
 * A jitted training step of `loss(params, x, labels)` with SGD or Adam: value-and-grad and the
 * update in one compiled function, the state threaded through calls (each call consumes the
 * old state and returns the new one).
 */
function trainStep(
  loss: (params: np.Array[], x: np.Array, labels: np.Array) => np.Array,
  params: np.Array[],
  x: np.Array,
  labels: np.Array,
  optimizer: "sgd" | "adam",
): JaxCase {
  const lossAndGrad = valueAndGrad(loss);
  if (optimizer === "sgd") {
    const step = jit((p: np.Array[], input: np.Array, target: np.Array) => {
      const [value, grads] = lossAndGrad(tree.ref(p), input, target);
      return [value, sgd(p, grads)] as [np.Array, np.Array[]];
    });
    return steppedCase(step, params, x, labels);
  }
  const zeros = () => params.map((p) => np.zerosLike(p.ref));
  const step = jit((s: AdamState, input: np.Array, target: np.Array) => {
    const [value, grads] = lossAndGrad(tree.ref(s.params), input, target);
    return [value, adam(s, grads)] as [np.Array, AdamState];
  });
  return steppedCase(step, { params, m: zeros(), v: zeros(), t: np.array(0) }, x, labels);
}

/**
 * A case that runs a jitted training step on a batch: each call consumes the state (the
 * parameters and any optimizer slots) and keeps the state the step returns.
 */
function steppedCase<S>(
  step: ((state: S, input: np.Array, target: np.Array) => [np.Array, S]) & { dispose(): void },
  initial: S,
  x: np.Array,
  labels: np.Array,
): JaxCase {
  let state = initial;
  return {
    run: async () => {
      const [value, next] = step(state, x.ref, labels.ref);
      state = next;
      await blockUntilReady(next);
      await settle(value);
    },
    dispose: () => {
      tree.dispose([state, x, labels]);
      step.dispose();
    },
  };
}

const MLP = [784, 256, 128, 10];
const BATCH = 128;

/** The MLP's loss: 784-256-128-10, relu, softmax cross-entropy; params are [w1, b1, w2, b2, w3, b3]. */
function mlpLoss(params: np.Array[], x: np.Array, labels: np.Array): np.Array {
  let h = x;
  for (let l = 0; l < 3; l++) {
    h = np.matmul(h, params[2 * l]!).add(params[2 * l + 1]!);
    if (l < 2) h = nn.relu(h);
  }
  return crossEntropy(h, labels);
}

/** The MLP 784-256-128-10 training step, batch 128, jitted, with SGD or Adam. */
export function jaxMlpStep(optimizer: "sgd" | "adam"): JaxCase {
  const params = MLP.slice(1).flatMap((out, i) => [uniform([MLP[i]!, out], 0.05, 10 + i), np.zeros([out])]);
  const [x, labels] = batch([BATCH, 784], 10, 1);
  return trainStep(mlpLoss, params, x, labels, optimizer);
}

/** 2x2 max pooling, stride 2, over the last two axes (jax-js's `lax.reduceWindow`). */
function maxPool2(x: np.Array): np.Array {
  return lax.reduceWindow(x, (w) => np.max(w), [2, 2], [2, 2]);
}

/**
 * The small CNN's loss in jax-js's NCHW layout (OIHW filters): conv3x3x32 relu, maxpool 2,
 * conv3x3x64 relu, flatten, dense 10; params are [w1, w2, dense, bias].
 */
function cnnLoss(params: np.Array[], x: np.Array, labels: np.Array): np.Array {
  const [w1, w2, dense, bias] = params as [np.Array, np.Array, np.Array, np.Array];
  let h = nn.relu(lax.conv(x, w1, [1, 1], "VALID"));
  h = maxPool2(h);
  h = nn.relu(lax.conv(h, w2, [1, 1], "VALID"));
  const logits = np.matmul(h.reshape([32, 64 * 11 * 11]), dense).add(bias);
  return crossEntropy(logits, labels);
}

/** The small CNN training step, batch 32 of 28x28x1, jitted, SGD. */
export function jaxCnnStep(): JaxCase {
  const params = [uniform([32, 1, 3, 3], 0.1, 1), uniform([64, 32, 3, 3], 0.05, 2), uniform([64 * 11 * 11, 10], 0.01, 3), np.zeros([10])];
  const [x, labels] = batch([32, 1, 28, 28], 10, 4);
  return trainStep(cnnLoss, params, x, labels, "sgd");
}
