/**
 * Random ops. ONNX draws with the runtime's own generator, so values differ from Kiln's
 * Philox streams even with the same seed; a seeded op draws the same sequence in every new
 * runtime session (onnxruntime seeds each node once, when the session is created, and each run
 * continues the sequence). Kiln's seed becomes the ONNX `seed` attribute.
 * int32 uniforms are drawn in float64 and floored; truncated normals are redrawn where they
 * fall outside two standard deviations, in a `Loop` that runs until none does. The
 * stateless (tensor-seeded) ops map the same way: a constant seed tensor becomes the `seed`
 * attribute; a seed computed at run time cannot (ONNX seeds are attributes), so those draw
 * unseeded, new values on every run.
 *
 * ```ts
 * // tf.randomNormal([2, 3], 0, 1, "float32", 7)  ->  RandomNormal(shape=[2, 3], seed=7)
 * ```
 */
import type { AttrSpec } from "../proto/build.js";
import { onnxType } from "../proto/dtype.js";
import type { GraphBuilder } from "../export/graph_builder.js";
import { attrOrInput, cast } from "./helpers.js";
import { filled } from "./creation.js";
import type { NodeContext, OpMapping } from "./mapping.js";

interface RandomAttrs {
  readonly shape?: readonly number[];
  readonly seed: number | null;
  readonly dtype: "float32" | "int32";
}

const SAME_SEED_NOTE = "values differ from Kiln's; a seeded op repeats its sequence in each new session";

/** `seed` as ONNX's float attribute (absent for an unseeded op). */
function seedAttr(seed: number | null, offset = 0): Record<string, AttrSpec> {
  return seed === null ? {} : { seed: { float: seed + offset } };
}

/**
 * A draw of `op` (`RandomUniform` or `RandomNormal`) of the op's shape: with a `shape`
 * attribute when the shape is static, else `...Like` on a zero tensor of the run-time shape.
 */
function draw(n: NodeContext, op: "RandomUniform" | "RandomNormal", type: "float32" | "float64", attrs: Record<string, AttrSpec>): string {
  const { b } = n;
  const dtype = { dtype: { int: onnxType(type) } };
  const shapeInput = n.op.def.attrInputs?.find((a) => a.attr === "shape")?.input ?? 0;
  if (n.op.inputs.length <= shapeInput) return b.node1(op, [], { ...attrs, ...dtype, shape: { ints: n.attrs<RandomAttrs>().shape! } });
  const shape = attrOrInput(n, "shape");
  return b.node1(`${op}Like`, [filled(b, shape, "float32", 0)], { ...attrs, ...dtype });
}

/** |x| > 2 anywhere, as a bool scalar. */
function anyOutside(b: GraphBuilder, x: string): string {
  const outside = cast(b, b.node1("Greater", [b.node1("Abs", [x]), b.scalar("float32", 2)]), "bool", "int32");
  return b.node1("Greater", [b.node1("ReduceMax", [outside], { keepdims: { int: 0 } }), b.scalar("int32", 0)]);
}

function truncatedNormal(n: NodeContext, seed: number | null): string {
  const { b } = n;
  const { mean, stdDev } = n.attrs<RandomAttrs & { mean: number; stdDev: number }>();
  const first = draw(n, "RandomNormal", "float32", seedAttr(seed));
  // Redraw the elements outside [-2, 2] until there are none (a data-dependent Loop).
  const body = b.subgraph("truncated_normal_body");
  const [iteration, condition, value] = ["iteration", "condition", "value"].map((s) => b.names.unique(`${body.name}_${s}`)) as [string, string, string];
  body.addInput(iteration, "int64", []);
  body.addInput(condition, "bool", []);
  body.addInput(value, "float32", undefined);
  const outside = body.node1("Greater", [body.node1("Abs", [value]), body.scalar("float32", 2)]);
  const redraw = body.node1("RandomNormalLike", [value], { dtype: { int: onnxType("float32") }, ...seedAttr(seed, 1) });
  const next = body.node1("Where", [outside, redraw, value]);
  const again = anyOutside(body, next);
  body.addOutput(again, "bool", []);
  body.addOutput(next, "float32", undefined);
  const [result] = b.node("Loop", ["", anyOutside(b, first), first], { body: { graph: body.toGraph() } }, 1);
  return b.node1("Add", [b.node1("Mul", [result!, b.scalar("float32", stdDev)]), b.scalar("float32", mean)]);
}

function uniform(n: NodeContext, seed: number | null): string {
  const { minval, maxval, dtype } = n.attrs<RandomAttrs & { minval: number; maxval: number }>();
  const attrs = { low: { float: minval }, high: { float: maxval }, ...seedAttr(seed) };
  if (dtype === "float32") return draw(n, "RandomUniform", "float32", attrs);
  return cast(n.b, n.b.node1("Floor", [draw(n, "RandomUniform", "float64", attrs)]), "float64", "int32");
}

function normal(n: NodeContext, seed: number | null): string {
  const { mean, stdDev } = n.attrs<RandomAttrs & { mean: number; stdDev: number }>();
  return draw(n, "RandomNormal", "float32", { mean: { float: mean }, scale: { float: stdDev }, ...seedAttr(seed) });
}

/**
 * The ONNX seed of a stateless op: its seed tensor's values when the graph holds them as a
 * constant (`[lo, hi]` as `hi * 2^32 + lo`, like the JS seed of the same Philox key), else
 * `null`: a seed computed at run time has no ONNX form (ONNX seeds are attributes).
 */
function constantSeed(n: NodeContext): number | null {
  const seed = n.op.inputs[0]!;
  if (seed.op.type !== "Const") return null;
  const value = (seed.op.attrs as { value?: ArrayLike<number> }).value;
  if (value === undefined || value.length !== 2) return null;
  return (value[1]! >>> 0) * 4294967296 + (value[0]! >>> 0);
}

const STATELESS_NOTE =
  "values differ from Kiln's; a constant seed tensor becomes the ONNX seed (its sequence repeats in each new session); a seed computed at run time cannot be an ONNX attribute, so each run draws new values";

export const randomMappings: readonly OpMapping[] = [
  {
    op: "RandomUniform",
    onnx: "RandomUniform (RandomUniformLike for run-time shapes); int32: float64 draw + Floor + Cast",
    notes: SAME_SEED_NOTE,
    convert: (n) => [uniform(n, n.attrs<RandomAttrs>().seed)],
  },
  {
    op: "RandomStandardNormal",
    onnx: "RandomNormal (RandomNormalLike for run-time shapes)",
    notes: SAME_SEED_NOTE,
    convert: (n) => [normal(n, n.attrs<RandomAttrs>().seed)],
  },
  {
    op: "TruncatedNormal",
    onnx: "RandomNormal + Loop(redraw outside 2 sigma) + Mul + Add",
    notes: SAME_SEED_NOTE,
    convert: (n) => [truncatedNormal(n, n.attrs<RandomAttrs>().seed)],
  },
  // ONNX (opset 17) has no tensor-seeded generator and no bitwise integer ops to build
  // Philox from, so the stateless ops map like the seeded ones: the runtime's generator.
  {
    op: "StatelessRandomUniform",
    onnx: "RandomUniform (RandomUniformLike for run-time shapes); int32: float64 draw + Floor + Cast",
    notes: STATELESS_NOTE,
    convert: (n) => [uniform(n, constantSeed(n))],
  },
  {
    op: "StatelessRandomNormal",
    onnx: "RandomNormal (RandomNormalLike for run-time shapes)",
    notes: STATELESS_NOTE,
    convert: (n) => [normal(n, constantSeed(n))],
  },
  {
    op: "StatelessTruncatedNormal",
    onnx: "RandomNormal + Loop(redraw outside 2 sigma) + Mul + Add",
    notes: STATELESS_NOTE,
    convert: (n) => [truncatedNormal(n, constantSeed(n))],
  },
];
