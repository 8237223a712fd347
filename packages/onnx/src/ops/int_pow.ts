/**
 * int32 powers with Kiln's meaning: wrapping on overflow (two's complement, modulo 2^32), and
 * for a negative exponent the truncated real power (1 for a base of 1, ±1 for -1, else 0).
 * onnxruntime's int32 Pow goes through doubles and saturates, so the power is squared and
 * multiplied in a `Loop` over the exponent's bits, in int64, keeping the low 32 bits after
 * each product.
 *
 * ```ts
 * // tf.pow(a, b) on int32  ->  Loop(r = bit ? r * p : r; p = p * p; e = e / 2) + Where for e < 0
 * ```
 */
import type { GraphBuilder } from "../export/graph_builder.js";
import { cast } from "./helpers.js";
import type { NodeContext } from "./mapping.js";

/** The low 32 bits of an int64 value, sign-extended back to int64. */
const wrap = (b: GraphBuilder, x: string) => cast(b, cast(b, x, "int64", "int32"), "int32", "int64");

export function wrappingIntPow(n: NodeContext): string {
  const { b } = n;
  const i64 = (v: number) => b.scalar("int64", v);
  const base = cast(b, n.inputs[0]!, "int32", "int64");
  const exponent = cast(b, n.inputs[1]!, "int32", "int64");
  // Broadcast both operands to the result's shape, the Loop's carried values.
  const zeros = b.node1("Mul", [base, b.node1("Mul", [exponent, i64(0)])]);
  const p0 = b.node1("Add", [base, zeros]);
  const e0 = b.node1("Add", [b.node1("Max", [exponent, i64(0)]), zeros]);
  const r0 = b.node1("Add", [zeros, i64(1)]);

  const body = b.subgraph("pow_body");
  const [iteration, condition, r, p, e] = ["iteration", "condition", "r", "p", "e"].map((s) => b.names.unique(`${body.name}_${s}`)) as [
    string,
    string,
    string,
    string,
    string,
  ];
  body.addInput(iteration, "int64", []);
  body.addInput(condition, "bool", []);
  for (const v of [r, p, e]) body.addInput(v, "int64", undefined);
  const odd = body.node1("Equal", [body.node1("Mod", [e, body.scalar("int64", 2)]), body.scalar("int64", 1)]);
  const rNext = body.node1("Where", [odd, wrap(body, body.node1("Mul", [r, p])), r]);
  const pNext = wrap(body, body.node1("Mul", [p, p]));
  const eNext = body.node1("Div", [e, body.scalar("int64", 2)]);
  const more = body.node1("Greater", [body.node1("ReduceMax", [eNext], { keepdims: { int: 0 } }), body.scalar("int64", 0)]);
  body.addOutput(more, "bool", []);
  for (const v of [rNext, pNext, eNext]) body.addOutput(v, "int64", undefined);
  const start = b.node1("Greater", [b.node1("ReduceMax", [e0], { keepdims: { int: 0 } }), i64(0)]);
  const [power] = b.node("Loop", [i64(32), start, r0, p0, e0], { body: { graph: body.toGraph() } }, 3);

  // Negative exponents: 1 for a base of 1, (-1)^e for -1, else 0.
  const negativeOne = b.node1("Where", [b.node1("Equal", [b.node1("Mod", [exponent, i64(2)]), i64(0)]), i64(1), i64(-1)]);
  const truncated = b.node1("Where", [
    b.node1("Equal", [base, i64(1)]),
    i64(1),
    b.node1("Where", [b.node1("Equal", [base, i64(-1)]), negativeOne, i64(0)]),
  ]);
  const result = b.node1("Where", [b.node1("Less", [exponent, i64(0)]), truncated, power!]);
  return cast(b, result, "int64", "int32");
}
