/**
 * The checker finds each kind of problem ONNX's structural rules forbid (each case is a
 * small hand-made model that breaks one rule), reports nothing for valid models, and is what
 * makes an export fail before a runtime sees it.
 */
import { create } from "@bufbuild/protobuf";
import { GraphProtoSchema, type ModelProto, ModelProtoSchema, type NodeProto, OperatorSetIdProtoSchema, type TensorProto, type ValueInfoProto } from "onnx-buf";
import { describe, expect, it, beforeAll } from "vitest";
import { assertValidModel, checkModel, OnnxCheckError, toOnnxModel } from "../src/index.js";
import { nodeProto as node, tensorProto, valueInfo } from "../src/proto/build.js";
import { tf, useCpu } from "./setup.js";

beforeAll(useCpu);

function model(nodes: NodeProto[], inputs: ValueInfoProto[], outputs: ValueInfoProto[], initializers: TensorProto[] = [], opset = 17n): ModelProto {
  return create(ModelProtoSchema, {
    irVersion: 8n,
    opsetImport: opset === 0n ? [] : [create(OperatorSetIdProtoSchema, { domain: "", version: opset })],
    graph: create(GraphProtoSchema, { name: "g", node: nodes, input: inputs, output: outputs, initializer: initializers }),
  });
}

const f32 = (name: string, dims: (number | string | null)[] | undefined = [2, 3]) => valueInfo(name, "float32", dims);
const i32 = (name: string, dims: (number | string | null)[] | undefined = [2, 3]) => valueInfo(name, "int32", dims);
const graph = (name: string, nodes: NodeProto[], inputs: ValueInfoProto[], outputs: ValueInfoProto[]) =>
  create(GraphProtoSchema, { name, node: nodes, input: inputs, output: outputs });

/** Checks `m` and expects one problem matching `pattern` (and no unrelated ones). */
function expectProblem(m: ModelProto, pattern: RegExp): void {
  const problems = checkModel(m);
  expect(problems.some((p) => pattern.test(p)), problems.join("\n") || "no problems").toBe(true);
}

describe("checkModel accepts valid models", () => {
  it("a small valid model has no problems", () => {
    expect(checkModel(model([node("Relu", ["x"], ["y"], "relu", {})], [f32("x")], [f32("y")]))).toEqual([]);
  });

  it("an export with If, Loop and initializers has no problems", () => {
    const w = tf.tensor([[1, 2], [3, 4]]);
    const f = tf.function(
      (x: tf.Tensor, n: tf.Tensor) => {
        const y = tf.cond(tf.greater(tf.sum(x), 0), () => tf.matMul(x, w), () => x);
        return tf.whileLoop((i) => tf.less(i!, n), (i, s) => [i!.add(1), s!.mul(0.5)], [tf.scalar(0, "int32"), y])[1]!;
      },
      { inputSignature: [new tf.TensorSpec([null, 2]), new tf.TensorSpec([], "int32")], autograph: false },
    );
    expect(checkModel(toOnnxModel(f))).toEqual([]);
  });
});

describe("checkModel reports each broken rule", () => {
  it("a node reading a value defined after it (not topological)", () => {
    expectProblem(model([node("Relu", ["a"], ["y"], "second", {}), node("Neg", ["x"], ["a"], "first", {})], [f32("x")], [f32("y")]), /input 'a' is not defined before this node/);
  });

  it("a value defined twice", () => {
    expectProblem(model([node("Relu", ["x"], ["y"], "a", {}), node("Neg", ["x"], ["y"], "b", {})], [f32("x")], [f32("y")]), /'y' is defined twice/);
  });

  it("a sub-graph value shadowing an outer one", () => {
    const branch = graph("then", [node("Neg", ["x"], ["x"], "shadow", {})], [], [f32("x")]);
    const other = graph("else", [node("Relu", ["x"], ["z"], "r", {})], [], [f32("z")]);
    const m = model([node("If", ["c"], ["y"], "if", { then_branch: { graph: branch }, else_branch: { graph: other } })], [f32("x"), valueInfo("c", "bool", [])], [f32("y")]);
    expectProblem(m, /'x' \(node output\) shadows a value of an enclosing graph/);
  });

  it("an unknown op", () => {
    expectProblem(model([node("Frobnicate", ["x"], ["y"], "f", {})], [f32("x")], [f32("y")]), /unknown op 'Frobnicate'/);
  });

  it("a wrong number of inputs or outputs", () => {
    expectProblem(model([node("Add", ["x", "x", "x"], ["y"], "add", {})], [f32("x")], [f32("y")]), /takes 2 inputs, received 3/);
    expectProblem(model([node("Relu", ["x"], ["y", "z"], "relu", {})], [f32("x")], [f32("y")]), /has 1 outputs, received 2/);
  });

  it("a missing required attribute, an unknown one, one of the wrong type", () => {
    expectProblem(model([node("Cast", ["x"], ["y"], "cast", {})], [f32("x")], [i32("y")]), /missing its required attribute 'to'/);
    expectProblem(model([node("Relu", ["x"], ["y"], "relu", { alpha: { float: 1 } })], [f32("x")], [f32("y")]), /has no attribute 'alpha'/);
    expectProblem(model([node("Transpose", ["x"], ["y"], "t", { perm: { int: 1 } })], [f32("x")], [f32("y", [3, 2])]), /attribute 'perm' must be INTS, received INT/);
  });

  it("inputs that must share an element type but do not, and a type an op does not allow", () => {
    expectProblem(model([node("Add", ["x", "i"], ["y"], "add", {})], [f32("x"), i32("i")], [f32("y")]), /must share one element type, received FLOAT and INT32/);
    expectProblem(model([node("Relu", ["b"], ["y"], "relu", {})], [valueInfo("b", "bool", [2])], [valueInfo("y", "bool", [2])]), /type BOOL, which 'T' does not allow/);
  });

  it("an output declared with another type or shape than it has", () => {
    expectProblem(model([node("Relu", ["x"], ["y"], "relu", {})], [f32("x")], [i32("y")]), /declared INT32 but computed as FLOAT/);
    expectProblem(model([node("Relu", ["x"], ["y"], "relu", {})], [f32("x")], [f32("y", [3, 2])]), /declared with shape \[3,2\] but has shape \[2,3\]/);
  });

  it("shapes that cannot broadcast, matrix products whose inner dims differ, reshapes that change the size", () => {
    expectProblem(model([node("Add", ["x", "z"], ["y"], "add", {})], [f32("x"), f32("z", [4])], [f32("y", undefined)]), /cannot be broadcast together/);
    expectProblem(model([node("MatMul", ["x", "z"], ["y"], "mm", {})], [f32("x"), f32("z", [2, 3])], [f32("y", undefined)]), /inner dimensions differ/);
    const shape = tensorProto("shape", "int64", [1], BigInt64Array.of(5n));
    expectProblem(model([node("Reshape", ["x", "shape"], ["y"], "r", {})], [f32("x")], [f32("y", undefined)], [shape]), /cannot reshape \[2,3\] \(6 elements\)/);
  });

  it("an initializer whose data does not fill its dims", () => {
    const bad = tensorProto("w", "float32", [2, 3], new Float32Array(5));
    expectProblem(model([node("Add", ["x", "w"], ["y"], "add", {})], [f32("x")], [f32("y")], [bad]), /initializer 'w' has dims \[2,3\] \(6 elements\) but holds 5/);
  });

  it("If branches that return different types or counts", () => {
    const then = graph("then", [node("Neg", ["x"], ["a"], "n", {})], [], [f32("a")]);
    const otherwise = graph("else", [node("Cast", ["x"], ["b"], "c", { to: { int: 6 } })], [], [i32("b")]);
    const m = model([node("If", ["c"], ["y"], "if", { then_branch: { graph: then }, else_branch: { graph: otherwise } })], [f32("x"), valueInfo("c", "bool", [])], [f32("y", undefined)]);
    expectProblem(m, /output 0 is FLOAT in then_branch but INT32 in else_branch/);
  });

  it("a Loop body without (iteration, condition, carried...) inputs", () => {
    const body = graph("body", [node("Neg", ["v"], ["w"], "n", {}), node("Identity", ["c"], ["c2"], "i", {})], [valueInfo("c", "bool", []), f32("v")], [valueInfo("c2", "bool", []), f32("w")]);
    const m = model([node("Loop", ["", "go", "x"], ["y"], "loop", { body: { graph: body } })], [f32("x"), valueInfo("go", "bool", [])], [f32("y")]);
    expectProblem(m, /the body takes 2 inputs; it must take \(iteration, condition, 1 carried\)/);
  });

  it("a graph output that is never computed, a missing opset import, undecodable bytes", () => {
    expectProblem(model([], [f32("x")], [f32("nothing")]), /output 'nothing'.*is never defined/);
    expectProblem(model([node("Relu", ["x"], ["y"], "relu", {})], [f32("x")], [f32("y")], [], 0n), /must import the default opset exactly once/);
    expect(checkModel(Uint8Array.of(0xff, 0xff, 0xff))[0]).toMatch(/not a valid ModelProto/);
  });

  it("assertValidModel throws an OnnxCheckError listing every problem", () => {
    const m = model([node("Frobnicate", ["x"], ["y"], "f", {}), node("Cast", ["y"], ["z"], "c", {})], [f32("x")], [f32("z")]);
    try {
      assertValidModel(m);
      expect.fail("expected an OnnxCheckError");
    } catch (error) {
      expect(error).toBeInstanceOf(OnnxCheckError);
      expect((error as OnnxCheckError).problems.length).toBeGreaterThanOrEqual(2);
      expect((error as Error).message).toContain("unknown op 'Frobnicate'");
    }
  });
});
