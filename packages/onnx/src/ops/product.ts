/**
 * The product of int32 values over some axes, wrapping like Kiln's (two's complement, modulo
 * 2^32). onnxruntime's integer ReduceProd does not wrap, even in int64, so the reduced axes are
 * moved last and flattened, and a `Loop` multiplies one slice at a time in int64, keeping the
 * low 32 bits after each step (a Cast to int32 and back).
 *
 * ```ts
 * // tf.prod(x, [0, 1]) on int32  ->  Transpose + Reshape + Loop(Mul, Cast, Cast) + Cast
 * ```
 */
import { filled } from "./creation.js";
import { cast } from "./helpers.js";
import type { NodeContext } from "./mapping.js";

export function wrappingProduct(n: NodeContext, axes: readonly number[], keepDims: boolean): string {
  const { b } = n;
  const rank = n.input(0).shape.length;
  const kept = Array.from({ length: rank }, (_, i) => i).filter((i) => !axes.includes(i));
  const moved = b.node1("Transpose", [cast(b, n.inputs[0]!, "int32", "int64")], { perm: { ints: [...kept, ...axes] } });
  const shape = b.node1("Shape", [moved]);
  const keptShape = b.node1("Slice", [shape, b.int64s([0]), b.int64s([kept.length])]);
  const count = b.node1("ReduceProd", [b.node1("Slice", [shape, b.int64s([kept.length]), b.int64s([rank])])], { keepdims: { int: 1 } });
  const flat = b.node1("Reshape", [moved, b.node1("Concat", [keptShape, count], { axis: { int: 0 } })], { allowzero: { int: 1 } });
  const ones = filled(b, keptShape, "int64", 1);

  const body = b.subgraph("prod_body");
  const [iteration, condition, product] = ["iteration", "condition", "product"].map((s) => b.names.unique(`${body.name}_${s}`)) as [
    string,
    string,
    string,
  ];
  body.addInput(iteration, "int64", []);
  body.addInput(condition, "bool", []);
  body.addInput(product, "int64", undefined);
  const slice = body.node1("Gather", [flat, iteration], { axis: { int: -1 } });
  const next = cast(body, cast(body, body.node1("Mul", [product, slice]), "int64", "int32"), "int32", "int64");
  body.addOutput(body.node1("Identity", [condition]), "bool", []);
  body.addOutput(next, "int64", undefined);
  const [result] = b.node("Loop", [b.node1("Squeeze", [count, b.int64s([0])]), "", ones], { body: { graph: body.toGraph() } }, 1);
  const out = cast(b, result!, "int64", "int32");
  return keepDims ? b.node1("Unsqueeze", [out, b.int64s([...axes])]) : out;
}
