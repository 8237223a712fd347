import * as tf from "@kiln/core";
import { expect } from "vitest";
import { printedBy } from "../setup.js";

/**
 * Valid saved files to break, one concept each, and arguments each accepts. The hostile-file
 * tests (SPEC K2) and the saved-file fuzzer start from these: every file loads and runs
 * before it is edited.
 *
 * ```ts
 * const { saved, args } = savedFiles().find((f) => f.name === "loop")!;
 * tf.loadFunction(saved)(...args()); // runs
 * ```
 */
export interface SavedFile {
  readonly name: string;
  /** The file as parsed JSON (a fresh copy on every call of `savedFiles`). */
  readonly saved: any;
  /** Fresh arguments for one call (the caller frees the tensors). */
  readonly args: () => unknown[];
}

const parsed = (fn: Parameters<typeof tf.saveFunction>[0]) => JSON.parse(JSON.stringify(tf.saveFunction(fn)));

/** A variable updated on every call, a captured bool tensor, a cast and products. */
function variables(): SavedFile {
  const v = new tf.Variable(0.5, { name: "v" });
  const bits = tf.tensor([1, 0], undefined, "bool");
  const step = tf.function(function step(x: tf.Tensor) {
    v.assignAdd(tf.sum(x));
    return tf.mul(v, x).mul(bits.cast("float32"));
  });
  const cf = step.getConcreteFunction(new tf.TensorSpec([2], "float32"));
  const saved = parsed(cf);
  v.dispose();
  bits.dispose();
  return { name: "variables", saved, args: () => [tf.tensor([3, 4])] };
}

/** `If` whose taken branch reads a variable, the other negates (SPEC G1). */
function branches(): SavedFile {
  const scale = new tf.Variable(2, { name: "scale" });
  const pick = tf.function(function pick(x: tf.Tensor) {
    return tf.cond(
      x.sum().greater(0),
      () => x.mul(scale),
      () => x.neg(),
    );
  });
  const saved = parsed(pick.getConcreteFunction(new tf.TensorSpec([2], "float32")));
  scale.dispose();
  return { name: "branches", saved, args: () => [tf.tensor([1, -3])] };
}

/** `While` counting to an input, and a bounded one reading a captured constant. */
function loops(): SavedFile {
  const step = tf.tensor([0.5, 0.25]);
  const sumTo = tf.function(function sumTo(n: tf.Tensor, h: tf.Tensor) {
    const [, total] = tf.whileLoop(
      (i) => tf.less(i, n),
      (i, t) => [i.add(1), t.add(i)],
      [tf.constant(0, "int32"), tf.constant(0, "int32")],
    );
    const [, decayed] = tf.whileLoop(
      () => tf.constant(true),
      (i, s) => [i.add(1), s.mul(step).add(1)],
      [tf.constant(0, "int32"), h],
      { maximumIterations: 3 },
    );
    return [total, decayed];
  });
  const saved = parsed(sumTo.getConcreteFunction(new tf.TensorSpec([], "int32"), new tf.TensorSpec([2], "float32")));
  step.dispose();
  return { name: "loops", saved, args: () => [tf.scalar(4, "int32"), tf.tensor([1, 2])] };
}

/** Nested calls, a captured constant, tf.print and a structured result with JS values. */
function calls(): SavedFile {
  const offset = tf.tensor([10, 20]);
  const inner = tf.function(function inner(a: tf.Tensor) {
    tf.print("inner", a);
    return [a.add(offset), a.sub(1)];
  });
  const outer = tf.function(function outer(args: { a: tf.Tensor; scale: number }) {
    const [sum, less] = inner(args.a) as tf.Tensor[];
    const y = sum!.mul(args.scale);
    return { y, parts: tf.split(y, 2), rest: less, label: "done" };
  });
  // The call that traces it prints; captured (and checked) rather than left in the test output.
  expect(printedBy(() => outer({ a: tf.tensor([1, 2]), scale: 3 }))).toEqual(["inner [1 2]"]);
  const saved = parsed(outer);
  offset.dispose();
  return { name: "calls", saved, args: () => [{ a: tf.tensor([1, 2]), scale: 3 }] };
}

/** Ops whose sizes come from attributes or shape inputs: fill, range, tile, oneHot, eye, random, reshape. */
function sizes(): SavedFile {
  const shaped = tf.function(
    function shaped(x: tf.Tensor, k: tf.Tensor) {
      const filled = tf.fill(tf.shape(x), 2);
      const counted = tf.range(0, 4, 1, "int32");
      const hot = tf.oneHot(tf.cast(counted, "int32"), 4);
      const tiled = tf.tile(x, [2, 1]);
      const wide = tf.broadcastTo(tf.reshape(x, [1, -1, 3]), [2, 2, 3]);
      const noise = tf.randomUniform([2, 3], 0, 1, "float32", 7);
      const id = tf.eye(3);
      const grown = tf.reshape(tf.range(0, k), [-1]);
      const rows = tf.ones(tf.stack([tf.cast(k, "int32"), tf.scalar(2, "int32")]));
      return [filled.add(noise).matMul(id), hot.sum(), tiled.sum(0), wide.mean([0, 1]), grown.sum(), rows.sum(0)];
    },
    { autograph: false },
  );
  const saved = parsed(shaped.getConcreteFunction(new tf.TensorSpec([2, 3], "float32"), new tf.TensorSpec([], "float32")));
  return { name: "sizes", saved, args: () => [tf.ones([2, 3]), tf.scalar(3)] };
}

/** Movement and contraction ops with axis and window attributes. */
function layout(): SavedFile {
  const filter = tf.ones([2, 2, 1, 2]);
  const arrange = tf.function(
    function arrange(x: tf.Tensor) {
      const image = tf.reshape(x, [1, 4, 4, 1]);
      const conv = tf.conv2d(image, filter, 1, "same");
      const pooled = tf.maxPool(conv, 2, 2, "valid");
      const flat = tf.reshape(pooled, [2, 4]);
      const sliced = tf.slice(flat, [0, 1], [2, 2]);
      const joined = tf.concat([sliced, tf.transpose(sliced)], 1);
      const picked = tf.gather(joined, tf.tensor([1, 0], undefined, "int32"), 1);
      const top = tf.topK(tf.reshape(joined, [-1]), 3).values;
      const stacked = tf.stack([picked.sum(1), picked.max(1)]);
      return [stacked.pad([[0, 1], [1, 0]]), top, tf.argMax(joined, 1), tf.cumsum(flat, 1).reverse(0)];
    },
    { autograph: false },
  );
  const saved = parsed(arrange.getConcreteFunction(new tf.TensorSpec([16], "float32")));
  filter.dispose();
  return { name: "layout", saved, args: () => [tf.range(0, 16)] };
}

/** Every op that creates a tensor from a size attribute, each summed to a scalar (so sizes can change freely). */
function creators(): SavedFile {
  const create = tf.function(
    function create(x: tf.Tensor) {
      const made = [
        tf.fill([2, 2], 1),
        tf.tile(x, [2, 2]),
        tf.range(0, 4),
        tf.oneHot(tf.tensor([0, 1], undefined, "int32"), 3),
        tf.eye(2),
        tf.broadcastTo(x, [3, 2, 2]),
        tf.randomUniform([2, 2], 0, 1, "float32", 1),
      ];
      return made.map((t) => tf.sum(t)).reduce((a, b) => a.add(b));
    },
    { autograph: false },
  );
  const saved = parsed(create.getConcreteFunction(new tf.TensorSpec([2, 2], "float32")));
  return { name: "creators", saved, args: () => [tf.ones([2, 2])] };
}

const BUILDERS = { variables, branches, loops, calls, sizes, layout, creators } as const;

/** A fresh copy of one base file. */
export function savedFile(name: keyof typeof BUILDERS): SavedFile {
  return BUILDERS[name]();
}

/** Fresh copies of every base file (each traced anew: variables and captures are the file's own). */
export function savedFiles(): SavedFile[] {
  return Object.values(BUILDERS).map((build) => build());
}

/** Frees every tensor in an argument list or result (nested arrays and plain objects). */
export function disposeAll(value: unknown): void {
  if (value instanceof tf.Tensor) value.dispose();
  else if (Array.isArray(value)) value.forEach(disposeAll);
  else if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype)
    Object.values(value).forEach(disposeAll);
}
