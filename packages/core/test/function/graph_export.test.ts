import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

const ops = tf.knownOps();

/** The verifier runs after every trace in these tests; returns the verified graph's text. */
function textOf(cf: tf.ConcreteFunction): string {
  tf.verifyGraph(cf.graph, { ops });
  return cf.graph.toString();
}

/** Nested functions are named `__inference_<fn>_<uid>`, the uid counting traces in the process. */
function stableUids(text: string): string {
  return text.replace(/(__inference_\w+?)_\d+\b/g, "$1_N");
}

/** Serializes through JSON text (as a file would) and rebuilds the graph. */
function roundTrip(graph: tf.Graph): tf.FuncGraph {
  const copy = tf.deserializeGraph(JSON.parse(JSON.stringify(tf.serializeGraph(graph))), ops);
  tf.verifyGraph(copy, { ops });
  return copy;
}

const values = (t: unknown) => (t as tf.Tensor).arraySync();

function tfCubeConcrete() {
  const tfCube = tf.function(function tfCube(x: tf.Tensor) {
    return tf.pow(x, 3);
  });
  return tfCube.getConcreteFunction(new tf.TensorSpec([], "float32"));
}

/** A step with a variable update and tf.print: stateful ops chained by control inputs. */
function stepConcrete(v: tf.Variable) {
  const step = tf.function(function step(x: tf.Tensor) {
    v.assignAdd(tf.sum(x));
    tf.print("v =", v);
    return tf.mul(v, x);
  });
  return step.getConcreteFunction(new tf.TensorSpec([null, 2], "float32"));
}

function nestedConcrete() {
  const inner = tf.function(function inner(a: tf.Tensor) {
    return a.add(1);
  });
  const outer = tf.function(function outer(a: tf.Tensor) {
    return inner(a).mul(2);
  });
  return outer.getConcreteFunction(new tf.TensorSpec([2], "float32"));
}

describe("SPEC B14: the text form", () => {
  it("B9 + B14: tfCube prints its Placeholder, Const, Pow and Identity, one line each", () => {
    expect(textOf(tfCubeConcrete())).toMatchInlineSnapshot(`
      "graph tfCube(x: float32[]) -> (float32[]) {
        x = Placeholder() {shape: [], dtype: float32} : float32[]
        pow/y = Const() {value: 3} : float32[]
        pow = Pow(x:0, pow/y:0) : float32[]
        Identity = Identity(pow:0) : float32[]
        return Identity:0
      }"
    `);
  });

  it("B2 + B14: a variable update and tf.print show their control inputs; unknown dims print as ?", () => {
    const v = new tf.Variable(0.5, { name: "v" });
    expect(textOf(stepConcrete(v))).toMatchInlineSnapshot(`
      "graph step(x: float32[?,2], assignaddvariableop_resource: resource<float32[]>) -> (float32[?,2]) {
        x = Placeholder() {shape: [null, 2], dtype: float32} : float32[?,2]
        sum = Sum(x:0) {axis: [0, 1], keepDims: false} : float32[]
        assignaddvariableop_resource = Placeholder() {shape: [], dtype: float32, resource: true} : resource<float32[]>
        AssignAddVariableOp = AssignAddVariableOp(assignaddvariableop_resource:0, sum:0)
        ReadVariableOp = ReadVariableOp(assignaddvariableop_resource:0, ^AssignAddVariableOp) : float32[]
        ReadVariableOp_1 = ReadVariableOp(assignaddvariableop_resource:0, ^ReadVariableOp) : float32[]
        print = PrintV2(ReadVariableOp_1:0, ^ReadVariableOp_1) {template: ["v =", null]}
        ReadVariableOp_2 = ReadVariableOp(assignaddvariableop_resource:0, ^print) : float32[]
        mul = Mul(ReadVariableOp_2:0, x:0) : float32[?,2]
        Identity = Identity(mul:0) : float32[?,2]
        return Identity:0
      }"
    `);
  });

  it("B13 + B14: a nested tf.function is one PartitionedCall; its graph is printed after the main graph", () => {
    expect(stableUids(textOf(nestedConcrete()))).toMatchInlineSnapshot(`
      "graph outer(a: float32[2]) -> (float32[2]) {
        a = Placeholder() {shape: [2], dtype: float32} : float32[2]
        PartitionedCall = PartitionedCall(a:0) {f: @__inference_inner_N, Tout: [float32[2]]} : float32[2]
        mul/y = Const() {value: 2} : float32[]
        mul = Mul(PartitionedCall:0, mul/y:0) : float32[2]
        Identity = Identity(mul:0) : float32[2]
        return Identity:0
      }

      graph __inference_inner_N(a: float32[2]) -> (float32[2]) {
        a = Placeholder() {shape: [2], dtype: float32} : float32[2]
        add/y = Const() {value: 1} : float32[]
        add = AddV2(a:0, add/y:0) : float32[2]
        Identity = Identity(add:0) : float32[2]
        return Identity:0
      }"
    `);
  });

  it("B13 + B14: a nested function that updates a captured variable is one StatefulPartitionedCall", () => {
    const counter = new tf.Variable(0, { dtype: "int32", name: "counter" });
    const bump = tf.function(function bump() {
      return counter.assignAdd(1);
    });
    const twice = tf.function(function twice() {
      bump();
      return bump();
    });
    expect(stableUids(textOf(twice.getConcreteFunction()))).toMatchInlineSnapshot(`
      "graph twice(statefulpartitionedcall_resource: resource<int32[]>) -> (int32[]) {
        statefulpartitionedcall_resource = Placeholder() {shape: [], dtype: int32, resource: true} : resource<int32[]>
        StatefulPartitionedCall = StatefulPartitionedCall(statefulpartitionedcall_resource:0) {f: @__inference_bump_N, Tout: [int32[]]} : int32[]
        StatefulPartitionedCall_1 = StatefulPartitionedCall(statefulpartitionedcall_resource:0, ^StatefulPartitionedCall) {f: @__inference_bump_N, Tout: [int32[]]} : int32[]
        Identity = Identity(StatefulPartitionedCall_1:0) : int32[]
        return Identity:0
      }

      graph __inference_bump_N(assignaddvariableop_resource: resource<int32[]>) -> (int32[]) {
        assignaddvariableop_resource = Placeholder() {shape: [], dtype: int32, resource: true} : resource<int32[]>
        AssignAddVariableOp/value = Const() {value: 1} : int32[]
        AssignAddVariableOp = AssignAddVariableOp(assignaddvariableop_resource:0, AssignAddVariableOp/value:0)
        ReadVariableOp = ReadVariableOp(assignaddvariableop_resource:0, ^AssignAddVariableOp) : int32[]
        Identity = Identity(ReadVariableOp:0) : int32[]
        return Identity:0
      }"
    `);
  });

  it("B14: multi-output ops list every output type and are referenced by index", () => {
    const halves = tf.function(function halves(x: tf.Tensor) {
      const [a, b] = tf.split(x, 2);
      return [b, a];
    });
    expect(textOf(halves.getConcreteFunction(new tf.TensorSpec([4], "int32")))).toMatchInlineSnapshot(`
      "graph halves(x: int32[4]) -> (int32[2], int32[2]) {
        x = Placeholder() {shape: [4], dtype: int32} : int32[4]
        split = SplitV(x:0) {sizeSplits: null, numSplit: 2, axis: 0} : (int32[2], int32[2])
        Identity = Identity(split:1) : int32[2]
        Identity_1 = Identity(split:0) : int32[2]
        return Identity:0, Identity_1:0
      }"
    `);
  });

  it("B14: big constants are abbreviated; float32 values print in shortest form, NaN, -0 and Infinity exactly", () => {
    const shift = tf.function(function shift(x: tf.Tensor) {
      return x
        .add(tf.tensor(Array.from({ length: 40 }, (_, i) => i / 10)))
        .mul(tf.tensor([Number.NaN, -0, Number.POSITIVE_INFINITY, 0.1]).reshape([4, 1, 1]).sum());
    });
    expect(textOf(shift.getConcreteFunction(new tf.TensorSpec([40], "float32")))).toMatchInlineSnapshot(`
      "graph shift(x: float32[40]) -> (float32[40]) {
        x = Placeholder() {shape: [40], dtype: float32} : float32[40]
        Const = Const() {value: [0, 0.1, 0.2, 0.3, 0.4, 0.5, ... 34 more]} : float32[40]
        add = AddV2(x:0, Const:0) : float32[40]
        Const_1 = Const() {value: [NaN, -0, Infinity, 0.1]} : float32[4]
        reshape = Reshape(Const_1:0) {shape: [4, 1, 1]} : float32[4,1,1]
        sum = Sum(reshape:0) {axis: [0, 1, 2], keepDims: false} : float32[]
        mul = Mul(add:0, sum:0) : float32[40]
        Identity = Identity(mul:0) : float32[40]
        return Identity:0
      }"
    `);
  });

  it("B14: names that are not simple identifiers are quoted, so the text stays unambiguous", () => {
    const f = tf.function((x: tf.Tensor) => x.neg());
    const text = textOf(f.getConcreteFunction(new tf.TensorSpec([], "float32", 'my "x", twice')));
    expect(text).toContain('"my \\"x\\", twice" = Placeholder() {shape: [], dtype: float32} : float32[]');
    expect(text).toContain('neg = Neg("my \\"x\\", twice":0) : float32[]');
  });

  it("B14: the text form is stable: tracing the same function again prints the same text", () => {
    expect(tfCubeConcrete().graph.toString()).toBe(tfCubeConcrete().graph.toString());
    expect(String(tfCubeConcrete().graph)).toBe(tfCubeConcrete().graph.toString());
  });
});

/** A tiny DOT lexer: every quoted string closes on its line; returns the unescaped labels. */
function dotLabels(dot: string): string[] {
  const labels: string[] = [];
  for (const line of dot.split("\n")) {
    let i = 0;
    while (i < line.length) {
      if (line[i] !== '"') {
        i++;
        continue;
      }
      let text = "";
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === "\\") {
          i++;
          text += line[i] === "n" ? "\n" : line[i];
        } else text += line[i];
        i++;
      }
      expect(i, `unterminated string in: ${line}`).toBeLessThan(line.length);
      labels.push(text);
      i++;
    }
  }
  return labels;
}

describe("SPEC B14: Graphviz DOT", () => {
  it("B14: nodes carry name and type, edges the value type, the result a return node", () => {
    expect(tfCubeConcrete().graph.toDot()).toMatchInlineSnapshot(`
      "digraph "tfCube" {
        compound=true;
        node [shape=box, fontname="Helvetica", fontsize=10];
        edge [fontname="Helvetica", fontsize=9];
        n0 [label="x\\nPlaceholder", shape=ellipse];
        n1 [label="pow/y\\nConst", shape=box, style=rounded];
        n2 [label="pow\\nPow"];
        n3 [label="Identity\\nIdentity"];
        return [label="return", shape=oval];
        n0 -> n2 [label="float32[]"];
        n1 -> n2 [label="float32[]"];
        n2 -> n3 [label="float32[]"];
        n3 -> return [label="0: float32[]"];
      }"
    `);
  });

  it("B14: control edges are dashed; called functions are clusters the call points to", () => {
    const v = new tf.Variable(1, { name: "v" });
    const dot = stepConcrete(v).graph.toDot();
    expect(dot).toMatch(/n\d+ -> n\d+ \[style=dashed\];/);
    expect(dot).toContain('[label="float32[?,2]"]');
    const nested = stableUids(nestedConcrete().graph.toDot());
    expect(nested).toContain('subgraph cluster_f0 {\n    label="__inference_inner_N";');
    expect(nested).toMatch(/n1 -> f0_n0 \[style=dotted, lhead=cluster_f0\];/);
    expect(nested).toContain('f0_n0 [label="a\\nPlaceholder", shape=ellipse];');
  });

  it("B14: quotes, backslashes and line breaks in names are escaped so DOT reads the names back exactly", () => {
    const name = 'say "hi"\\n\nnow';
    const f = tf.function((x: tf.Tensor) => x.abs(), { name: 'graph "g"' });
    const dot = f.getConcreteFunction(new tf.TensorSpec([2], "float32", name)).graph.toDot();
    expect(dot.startsWith('digraph "graph \\"g\\"" {')).toBe(true);
    expect(dot).toContain('[label="say \\"hi\\"\\\\n\\nnow\\nPlaceholder"');
    const labels = dotLabels(dot);
    expect(labels).toContain(`${name}\nPlaceholder`);
    expect(labels).toContain('graph "g"');
  });
});

describe("SPEC B14: JSON round trip", () => {
  it("B14: serialized graphs are plain JSON, and JSON text loses nothing", () => {
    const json = tf.serializeGraph(nestedConcrete().graph);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(json.format).toBe("kiln.graph");
    expect(json.library).toHaveLength(1);
    expect(json.operations.map((op) => op.type)).toEqual(["Placeholder", "PartitionedCall", "Const", "Mul", "Identity"]);
  });

  it("B14: a round-tripped graph prints the same text and computes the same results", () => {
    // The copy takes every graph input explicitly, so it gets its own variable with the same value.
    const original = new tf.Variable(0.5, { name: "v" });
    const twin = new tf.Variable(0.5, { name: "v" });
    const lines: string[] = [];
    const runtime = tf.getRuntime();
    const savedPrint = runtime.print;
    runtime.print = (m) => lines.push(m);
    try {
      const x = tf.tensor([[1, 2]]);
      const cases: [tf.CallableConcreteFunction, unknown[], unknown[]][] = [
        [tfCubeConcrete(), [tf.constant(2)], []],
        [nestedConcrete(), [tf.tensor([1, 2])], []],
        [stepConcrete(original), [x], [twin]],
      ];
      for (const [cf, args, captures] of cases) {
        const copy = roundTrip(cf.graph);
        expect(copy.toString()).toBe(cf.graph.toString());
        const run = tf.functionFromGraph(copy);
        expect((run(...args, ...captures) as tf.Tensor[]).map(values)).toEqual([values(cf(...args))]);
      }
      expect(lines).toEqual(["v = 3.5", "v = 3.5"]);
      expect([values(original.read()), values(twin.read())]).toEqual([3.5, 3.5]);
    } finally {
      runtime.print = savedPrint;
    }
  });

  it("B14: NaN, -0 and Infinity constants survive JSON text", () => {
    const f = tf.function(function special() {
      return tf.tensor([Number.NaN, -0, Number.NEGATIVE_INFINITY, 1e-7]);
    });
    const cf = f.getConcreteFunction();
    const copy = roundTrip(cf.graph);
    expect(copy.toString()).toBe(cf.graph.toString());
    const [out] = tf.functionFromGraph(copy)() as tf.Tensor[];
    const data = Array.from(out!.dataSync());
    expect(Object.is(data[0], Number.NaN)).toBe(true);
    expect(Object.is(data[1], -0)).toBe(true);
    expect(data.slice(2)).toEqual([Number.NEGATIVE_INFINITY, Math.fround(1e-7)]);
    out!.dispose();
  });

  it("B14: deserialization rebuilds a FuncGraph: operations, control inputs and the library", () => {
    const v = new tf.Variable(0.5);
    const cf = stepConcrete(v);
    const copy = roundTrip(cf.graph);
    expect(copy).toBeInstanceOf(tf.FuncGraph);
    expect(copy.getOperations().map(String)).toEqual(cf.graph.getOperations().map(String));
    const print = copy.getOperations().find((op) => op.type === "PrintV2")!;
    expect(print.controlInputs.map((op) => op.name)).toEqual(cf.graph.getOperationByName(print.name)!.controlInputs.map((op) => op.name));
    expect(copy.getTensorByName("Identity:0").shape).toEqual([null, 2]);
    const original = nestedConcrete().graph;
    const nested = roundTrip(original);
    expect([...nested.library.keys()]).toEqual([...original.library.keys()]);
    expect([...nested.library.keys()][0]).toMatch(/^__inference_inner_\d+$/);
    expect(nested.library.get([...nested.library.keys()][0]!)!.graph).toBeInstanceOf(tf.FuncGraph);
  });
});

describe("verifyGraph", () => {
  const placeholder = (g: tf.Graph, name: string, shape: (number | null)[] = [2], resource = false) =>
    g.addOperation(
      new tf.Operation(
        g.uniqueName(name),
        ops.get("Placeholder")!,
        [],
        resource ? { shape, dtype: "float32", resource } : { shape, dtype: "float32" },
        [{ shape, dtype: "float32" }],
        [],
      ),
    ).outputs[0]!;
  const op = (
    g: tf.Graph,
    type: string,
    inputs: tf.OpOutput[],
    outputs: tf.ValueInfo[],
    control: tf.Operation[] = [],
    attrs: tf.Attrs = {},
  ) => g.addOperation(new tf.Operation(g.uniqueName(type.toLowerCase()), ops.get(type)!, inputs, attrs, outputs, control));
  const f32 = (shape: (number | null)[]): tf.ValueInfo => ({ shape, dtype: "float32" });

  it("accepts every traced graph of these tests, nested functions included", () => {
    expect(() => tf.verifyGraph(nestedConcrete().graph, { ops })).not.toThrow();
  });

  it("rejects a shape that disagrees with the op's inference", () => {
    const g = new tf.FuncGraph("bad", undefined, false);
    const x = placeholder(g, "x");
    const neg = op(g, "Neg", [x], [f32([3])]);
    g.inputs = [x];
    g.outputs = [neg.outputs[0]!];
    expect(() => tf.verifyGraph(g)).toThrow(tf.InvalidGraphError);
    expect(() => tf.verifyGraph(g)).toThrow(/operation neg \(Neg\): output 0 is recorded as float32\[3\] but inference gives float32\[2\]/);
  });

  it("rejects inputs and control inputs that are not earlier operations of the same graph", () => {
    const other = new tf.FuncGraph("other", undefined, false);
    const foreign = placeholder(other, "y");
    const g = new tf.FuncGraph("bad", undefined, false);
    const x = placeholder(g, "x");
    op(g, "AddV2", [x, foreign], [f32([2])], [foreign.op]);
    g.inputs = [x];
    expect(() => tf.verifyGraph(g)).toThrow(
      /input 1 \(y:0\) is not produced by an earlier operation of this graph[\s\S]*control input \^y is not an earlier operation/,
    );
  });

  it("rejects placeholders missing from the inputs, resources flowing into tensor ops, returned resources and unknown op types", () => {
    const g = new tf.FuncGraph("bad", undefined, false);
    const r = placeholder(g, "r", [2], true);
    placeholder(g, "orphan");
    const neg = op(g, "Neg", [r], [f32([2])]);
    g.inputs = [r];
    g.outputs = [r, neg.outputs[0]!];
    const message = (() => {
      try {
        tf.verifyGraph(g, { ops: new tf.OpTable() });
        return "";
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toMatch(/unknown op type 'Neg'/);
    expect(message).toMatch(/input 0 \(r:0\) is a variable resource but the op expects a tensor/);
    expect(message).toMatch(/Placeholder orphan is not one of the graph's inputs/);
    expect(message).toMatch(/graph output 0 \(r:0\) is a variable resource/);
  });

  it("rejects a call whose function is missing or whose inputs do not fit it", () => {
    const g = new tf.FuncGraph("bad", undefined, false);
    const x = placeholder(g, "x", [3]);
    op(g, "PartitionedCall", [x], [f32([2])], [], { f: "missing", Tout: [{ shape: [2], dtype: "float32" }] });
    g.inputs = [x];
    expect(() => tf.verifyGraph(g)).toThrow(/calls function 'missing', which is not in the graph's library/);
    const callee = nestedConcrete().graph;
    g.library.set("missing", { name: "missing", graph: callee });
    expect(() => tf.verifyGraph(g)).toThrow(/input 0 is float32\[3\] but 'missing' takes float32\[2\]/);
  });

  it("knows every op core exports, plus the variable, call and print ops and tf.defineOp ops", () => {
    const isOpDef = (v: unknown): v is tf.AnyOpDef =>
      typeof v === "object" && v !== null && typeof (v as tf.AnyOpDef).infer === "function" && typeof (v as tf.AnyOpDef).name === "string";
    for (const def of Object.values(tf).filter(isOpDef)) expect(ops.get(def.name), def.name).toBe(def);
    for (const name of [
      "Placeholder",
      "Const",
      "Identity",
      "ReadVariableOp",
      "AssignAddVariableOp",
      "PartitionedCall",
      "StatefulPartitionedCall",
      "PrintV2",
    ]) {
      expect(ops.has(name), name).toBe(true);
    }
    const Cube = tf.defineOp<{}>({
      name: "ExportTestCube",
      api: "exportTestCube",
      family: "elementwise",
      inputs: ["x"],
      infer: ([x]) => [x!],
      grad: "none",
    });
    expect(tf.knownOps().get("ExportTestCube")).toBe(Cube);
  });
});
