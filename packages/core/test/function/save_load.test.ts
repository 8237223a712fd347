import { readFileSync } from "node:fs";
import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { printedBy as printed, take, useCpu } from "../setup.js";

useCpu();

const ops = tf.knownOps();
const values = (t: unknown) => (t as tf.Tensor).arraySync();

/** Saves to JSON text and loads it back, as a file would travel; verifies every loaded graph. */
function saveAndLoad(fn: Parameters<typeof tf.saveFunction>[0]) {
  const loaded = tf.loadFunction(JSON.stringify(tf.saveFunction(fn)));
  for (const cf of loaded.concreteFunctions) tf.verifyGraph(cf.graph, { ops });
  return loaded;
}

function makeTfCube() {
  return tf.function(function tfCube(x: tf.Tensor | number) {
    return tf.pow(x, 3);
  });
}

describe("SPEC K1: save and load", () => {
  it("K1: every traced signature loads back and computes what the original computes", () => {
    const tfCube = makeTfCube();
    tfCube(tf.constant(2));
    tfCube(2);
    tfCube(tf.tensor([[1, 2]]));
    tfCube(
      tf.tensor([
        [3, 4],
        [5, 6],
      ]),
    ); // relaxed to [null, 2]
    const cube = saveAndLoad(tfCube);
    expect(cube).toBeInstanceOf(tf.LoadedFunction);
    expect(cube.concreteFunctions).toHaveLength(4);
    expect(values(cube(tf.constant(3)))).toBe(27);
    expect(values(cube(2))).toBe(8);
    expect(
      values(
        cube(
          tf.tensor([
            [7, 8],
            [9, 10],
            [11, 12],
          ]),
        ),
      ),
    ).toEqual(
      values(
        tfCube(
          tf.tensor([
            [7, 8],
            [9, 10],
            [11, 12],
          ]),
        ),
      ),
    );
    // The most specific saved signature wins (SPEC C1), as in the original cache.
    expect(cube.getConcreteFunction(tf.tensor([[1, 2]])).inputDims).toEqual([[1, 2]]);
    expect(
      cube.getConcreteFunction(
        tf.tensor([
          [1, 2],
          [3, 4],
        ]),
      ).inputDims,
    ).toEqual([[null, 2]]);
    const traced = [
      tf.constant(2),
      2,
      tf.tensor([[1, 2]]),
      tf.tensor([
        [3, 4],
        [5, 6],
      ]),
    ].map((arg) => tfCube.getConcreteFunction(arg));
    expect(tfCube.tracingCount).toBe(4);
    expect(cube.concreteFunctions.map((cf) => cf.graph.toString())).toEqual(traced.map((cf) => cf.graph.toString()));
  });

  it("K1: only traced signatures are callable: another one is a TypeError listing the saved ones", () => {
    const tfCube = makeTfCube();
    tfCube(tf.constant(2));
    tfCube(2);
    const cube = saveAndLoad(tfCube);
    expect(() => cube(3)).toThrow(TypeError);
    expect(() => cube(tf.tensor([1, 2], undefined, "int32"))).toThrow(
      "tfCube: no saved signature accepts (Tensor(shape=(2,), dtype=int32)). A loaded function runs only the signatures traced before saving:\n" +
        "  tfCube(TensorSpec(shape=(), dtype=float32, name='x'))\n" +
        "  tfCube(Literal[2])",
    );
    expect(() => cube.concreteFunctions[1]!(tf.constant(2))).toThrow(
      /no saved signature accepts \(Tensor\(shape=\(\), dtype=float32\)\)[\s\S]*tfCube\(Literal\[2\]\)$/,
    );
    expect(values(cube.concreteFunctions[0]!(tf.constant(2)))).toBe(8);
  });

  it("K1: saving a function with no traces and no inputSignature is an error that says so", () => {
    const tfCube = makeTfCube();
    expect(() => tf.saveFunction(tfCube)).toThrow(tf.ArgumentError);
    expect(() => tf.saveFunction(tfCube)).toThrow(
      /'tfCube' has no traced concrete functions and no inputSignature, so there is nothing to save/,
    );
  });

  it("K1 + F1: a function with an inputSignature is traced when saved; loaded, it converts JS values to the spec", () => {
    const shrink = tf.function((images: tf.Tensor) => images.sum(1), {
      inputSignature: [new tf.TensorSpec([null, 2], "float32", "images")],
    });
    const loaded = saveAndLoad(shrink);
    expect(shrink.tracingCount).toBe(1);
    expect(
      values(
        loaded([
          [1, 2],
          [3, 4],
          [5, 6],
        ]),
      ),
    ).toEqual([3, 7, 11]);
    expect(values(loaded(tf.ones([1, 2])))).toEqual([2]);
    expect(() => loaded(tf.ones([2, 3]))).toThrow(/TensorSpec\(shape=\(None, 2\), dtype=float32, name='images'\)/);
    expect(() => loaded(tf.ones([2, 2], "int32"))).toThrow(TypeError);
  });

  it("K1 + H2: captured variables come back as new Variables with the saved values, independent of the originals", () => {
    const v = new tf.Variable([1, 2], { name: "weights" });
    const frozen = new tf.Variable(10, { name: "frozen", trainable: false });
    const step = tf.function(function step(x: tf.Tensor) {
      v.assignAdd(x);
      return v.read().mul(frozen);
    });
    step(tf.tensor([1, 1]));
    const loaded = saveAndLoad(step);
    expect(loaded.variables.map((w) => [w.name, w.trainable, values(w.read())])).toEqual([
      ["weights", true, [2, 3]],
      ["frozen", false, 10],
    ]);
    expect(loaded.variables[0]).not.toBe(v);
    expect(values(loaded(tf.tensor([1, 1])))).toEqual(values(step(tf.tensor([1, 1]))));
    expect(values(loaded(tf.tensor([5, 5])))).toEqual([80, 90]);
    expect(values(v.read())).toEqual([3, 4]);
    expect(values(loaded.variables[0]!.read())).toEqual([8, 9]);
  });

  it("K1 + H2: variables passed as arguments stay arguments: the loaded function updates the variable it is given", () => {
    const increment = tf.function((c: tf.Variable) => c.assignAdd(1));
    increment(new tf.Variable(0, { dtype: "int32" }));
    const loaded = saveAndLoad(increment);
    expect(loaded.variables).toHaveLength(0);
    const counter = new tf.Variable(5, { dtype: "int32" });
    loaded(counter);
    expect(values(loaded(counter))).toBe(7);
    expect(values(counter.read())).toBe(7);
    expect(() => loaded(new tf.Variable(0))).toThrow(/VariableSpec\(shape=\(\), dtype=int32, trainable=True\)/);
  });

  it("K1: captured tensors, nested calls, tf.print and structured results all survive", () => {
    const offset = tf.tensor([10, 20]);
    const inner = tf.function(function inner(a: tf.Tensor) {
      tf.print("inner sees", a);
      return a.add(offset);
    });
    const outer = tf.function(function outer(args: { a: tf.Tensor; scale: number }) {
      const y = inner(args.a).mul(args.scale);
      return { y, parts: tf.split(y, 2), label: "done", scale: args.scale };
    });
    const arg = () => ({ a: tf.tensor([1, 2]), scale: 3 });
    const expected = printed(() => void outer(arg()));
    const loaded = saveAndLoad(outer);
    let result: { y: tf.Tensor; parts: tf.Tensor[]; label: string; scale: number } | undefined;
    expect(printed(() => (result = loaded(arg())))).toEqual(expected);
    expect(expected).toEqual(["inner sees [1 2]"]);
    expect(values(result!.y)).toEqual([33, 66]);
    expect(result!.parts.map(values)).toEqual([[33], [66]]);
    expect([result!.label, result!.scale]).toEqual(["done", 3]);
    expect(() => loaded({ a: tf.tensor([1, 2]), scale: 4 })).toThrow(
      /outer\(\{a: TensorSpec\(shape=\(2,\), dtype=float32, name='args'\), scale: Literal\[3\]\}\)/,
    );
  });

  it("K1 + B13: a loaded function called inside a new tf.function is one call op, and that function saves and loads too", () => {
    const v = new tf.Variable(1, { name: "v" });
    const bump = tf.function(function bump(x: tf.Tensor) {
      v.assignAdd(1);
      return x.mul(v);
    });
    bump(tf.constant(1));
    const loaded = saveAndLoad(bump);
    const wrapper = tf.function(function wrapper(x: tf.Tensor) {
      return loaded(x).add(1);
    });
    const cf = wrapper.getConcreteFunction(new tf.TensorSpec([], "float32"));
    tf.verifyGraph(cf.graph, { ops });
    expect(cf.graph.getOperations().map((op) => op.type)).toEqual([
      "Placeholder",
      "Placeholder",
      "StatefulPartitionedCall",
      "Const",
      "AddV2",
      "Identity",
    ]);
    expect(values(cf(tf.constant(2)))).toBe(7); // loaded v: 2 -> 3; 2 * 3 + 1
    const again = saveAndLoad(wrapper);
    expect(again.concreteFunctions[0]!.graph.toString()).toBe(cf.graph.toString());
    expect(values(again(tf.constant(2)))).toBe(9); // its own copy of v: 3 -> 4
    expect(values(loaded.variables[0]!.read())).toBe(3);
  });

  it("K1 + G1: functional control flow (If, While) saves with its sub-graphs and loads back", () => {
    const v = new tf.Variable(2, { name: "scale" });
    const pick = tf.function(function pick(x: tf.Tensor) {
      return tf.cond(
        x.sum().greater(0),
        () => x.mul(v),
        () => x.neg(),
      );
    });
    const sumTo = tf.function(function sumTo(n: tf.Tensor) {
      const [, total] = tf.whileLoop(
        (i) => tf.less(i, n),
        (i, t) => [i.add(1), t.add(i)],
        [tf.constant(0, "int32"), tf.constant(0, "int32")],
      );
      return total;
    });
    const pickCf = pick.getConcreteFunction(new tf.TensorSpec([2], "float32"));
    const sumCf = sumTo.getConcreteFunction(new tf.TensorSpec([], "int32"));
    const loadedPick = saveAndLoad(pick);
    const loadedSum = saveAndLoad(sumTo);
    expect(loadedPick.concreteFunctions[0]!.graph.toString()).toBe(pickCf.graph.toString());
    expect(loadedSum.concreteFunctions[0]!.graph.toString()).toBe(sumCf.graph.toString());
    expect(loadedPick.concreteFunctions[0]!.graph.getOperations().map((op) => op.type)).toContain("If");
    expect(values(loadedPick(tf.tensor([1, 2])))).toEqual([2, 4]);
    expect(values(loadedPick(tf.tensor([-1, -2])))).toEqual([1, 2]);
    expect(values(loadedSum(tf.constant(5, "int32")))).toBe(10);
  });

  it("K1 + C3: object key order survives saving: arguments as the trace saw them, results as the function built them", () => {
    const seen: string[][] = [];
    const f = tf.function((opts: { b: tf.Tensor; a: tf.Tensor }) => {
      seen.push(Object.keys(opts));
      return { z: opts.a.add(opts.b), y: 2 };
    });
    f({ b: tf.scalar(1), a: tf.scalar(5) });
    const loaded = saveAndLoad(f);
    const out = loaded({ a: tf.scalar(5), b: tf.scalar(2) }) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(["z", "y"]);
    expect(take(out.z as tf.Tensor)).toBe(7);
    expect(seen).toEqual([["b", "a"]]);
    const saved = JSON.stringify(tf.saveFunction(f));
    expect(saved).toContain('"order":["b","a"]');
    expect(saved).toContain('"order":["z","y"]');
    // An order that is not a permutation of the keys is refused.
    const bad = saved.replace('"order":["z","y"]', '"order":["z","q"]');
    expect(() => tf.loadFunction(bad)).toThrow(/order.*expected the same keys as 'keys'/);
  });

  it("K1: values a file cannot hold are refused when saving, naming where they are", () => {
    const withMap = tf.function((x: tf.Tensor) => ({ y: x.add(1), cache: new Map() }));
    withMap(tf.ones([2]));
    expect(() => tf.saveFunction(withMap)).toThrow(/saveFunction: result cache is an object \(Map\), which cannot be saved/);
    const keyed = tf.function((x: tf.Tensor, options: object) => x.add(Object.keys(options).length));
    keyed(tf.ones([2]), new (class Settings {})());
    expect(() => tf.saveFunction(keyed)).toThrow(/argument 1 is an object \(Settings\), which cannot be saved/);
  });

  it("K1: save -> load -> save writes the same JSON", () => {
    const v = new tf.Variable([[0.25, Number.NaN]], { name: "odd" });
    const f = tf.function(function f(x: tf.Tensor, flag: boolean) {
      return flag ? x.add(v) : x.sub(tf.tensor([-0, 1e-30]));
    });
    f(tf.ones([1, 2]), true);
    f(tf.ones([1, 2]), false);
    const first = tf.saveFunction(f);
    // Weights are base64 of the little-endian values, readable by any base64 decoder.
    expect(first.weights.w0!.data).toBe(Buffer.from(new Float32Array([0.25, Number.NaN]).buffer).toString("base64"));
    const second = tf.saveFunction(tf.loadFunction(JSON.parse(JSON.stringify(first))));
    expect(second).toEqual(first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it("K1: dispose() frees the restored weights and compiled plans", () => {
    const c = tf.tensor([1, 2, 3]);
    const v = new tf.Variable([1, 1, 1]);
    const f = tf.function((x: tf.Tensor) =>
      x
        .add(c)
        .mul(v)
        .add(tf.tensor([4, 5, 6])),
    );
    f(tf.ones([3]));
    const saved = tf.saveFunction(f);
    const before = tf.memory().numTensors;
    const loaded = tf.loadFunction(saved);
    expect(tf.memory().numTensors).toBe(before + 2);
    const x = tf.ones([3]);
    tf.dispose(loaded(x) as tf.Tensor);
    x.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** A valid saved file (as parsed JSON) to break in one place. */
function savedStep(): any {
  const v = new tf.Variable(0.5, { name: "v" });
  const bits = tf.tensor([1, 0], undefined, "bool");
  const step = tf.function(function step(x: tf.Tensor) {
    v.assignAdd(tf.sum(x));
    return tf.mul(v, x).mul(bits.cast("float32"));
  });
  step(tf.tensor([3, 4]));
  return JSON.parse(JSON.stringify(tf.saveFunction(step)));
}

const graphOf = (saved: any) => saved.functions[0].graph;
const opNamed = (saved: any, name: string) => graphOf(saved).operations.find((op: { name: string }) => op.name === name);

/** Loading `saved` fails with a GraphFormatError whose message matches `message`. */
function rejects(saved: unknown, message: RegExp): void {
  let error: unknown;
  try {
    tf.loadFunction(saved as tf.SavedFunction);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(tf.GraphFormatError);
  expect((error as Error).message).toMatch(message);
}

describe("SPEC K1: hostile or corrupt files fail with a clear error and never run code", () => {
  it("K1: the unmodified file loads (the cases below each break one thing)", () => {
    const loaded = tf.loadFunction(savedStep());
    expect(values(loaded(tf.tensor([3, 4])))).toEqual([43.5, 0]); // v: 7.5 -> 14.5
  });

  it("K1: unknown op types are rejected, including names of JS builtins and prototype members", () => {
    for (const type of ["EvilOp", "eval", "Function", "constructor", "__proto__", "toString", "hasOwnProperty"]) {
      const saved = savedStep();
      opNamed(saved, "mul").type = type;
      rejects(saved, new RegExp(`unknown op type '${type}'; only ops declared in code`));
    }
  });

  it("K1: shapes that disagree with the ops' inference are rejected", () => {
    const saved = savedStep();
    opNamed(saved, "mul").outputs[0].shape = [3];
    rejects(saved, /'mul' \(Mul\)\.outputs\[0\]: declared as float32\[3\] but the op's inference gives float32\[2\]/);
    const placeholder = savedStep();
    opNamed(placeholder, "x").attrs.shape = [3];
    opNamed(placeholder, "x").outputs[0].shape = [3];
    rejects(placeholder, /'mul' \(Mul\)\.outputs\[0\]: declared as float32\[2\] but the op's inference gives float32\[3\]/);
    const params = savedStep();
    params.functions[0].params[0].shape = [5];
    rejects(params, /functions\[0\]\.params\[0\]: does not match the graph's input 0/);
    const outputs = savedStep();
    outputs.functions[0].outputs = { kind: "tensor", index: 7 };
    rejects(outputs, /expected the index of one of the graph's 1 output\(s\), received 7/);
  });

  it("K1: references to missing or later operations, outputs and functions are rejected", () => {
    const missing = savedStep();
    opNamed(missing, "mul").inputs[0] = "nowhere:0";
    rejects(missing, /refers to operation 'nowhere', which is not defined before this point/);
    const later = savedStep();
    opNamed(later, "sum").inputs[0] = "Identity:0";
    rejects(later, /refers to operation 'Identity', which is not defined before this point/);
    const index = savedStep();
    opNamed(index, "mul").inputs[0] = "x:3";
    rejects(index, /refers to output 3 of 'x', which has 1 output\(s\)/);
    const control = savedStep();
    opNamed(control, "sum").controlInputs = ["mul"];
    rejects(control, /controlInputs\[0\]: operation 'mul' is not defined before this point/);
    const result = savedStep();
    graphOf(result).outputs = ["ghost:0"];
    rejects(result, /graph\.outputs\[0\]: refers to operation 'ghost'/);
    const call = savedStep();
    opNamed(call, "mul").type = "PartitionedCall";
    opNamed(call, "mul").attrs = { f: "__inference_nothing_1", Tout: [{ shape: [2], dtype: "float32" }] };
    rejects(call, /calls function '__inference_nothing_1', which is not in the library/);
  });

  it("K1: a function that calls itself is rejected (graphs cannot recurse)", () => {
    const inner = tf.function(function inner(a: tf.Tensor) {
      return a.add(1);
    });
    const outer = tf.function(function outer(a: tf.Tensor) {
      return inner(a);
    });
    outer(tf.constant(1));
    const saved = JSON.parse(JSON.stringify(tf.saveFunction(outer)));
    const library = graphOf(saved).library[0];
    const add = library.graph.operations.find((op: { type: string }) => op.type === "AddV2");
    Object.assign(add, { type: "PartitionedCall", inputs: ["a:0"], attrs: { f: library.name, Tout: [{ shape: [], dtype: "float32" }] } });
    rejects(saved, /function '__inference_inner_\d+' calls itself \(directly or through other functions\)/);
  });

  it("K1: truncated weights and huge declared sizes fail before any allocation", () => {
    const truncated = savedStep();
    truncated.weights.w0.data = truncated.weights.w0.data.slice(0, 4);
    rejects(
      truncated,
      /weights\.w0\.data: a float32 tensor of shape \[\] needs 4 bytes \(8 base64 characters\) but the data has 4 characters/,
    );
    const huge = savedStep();
    huge.weights.w0.shape = [1e9, 1e9];
    rejects(
      huge,
      /weights\.w0\.data: shape \[1000000000,1000000000\] declares 1000000000000000000 elements, more than the maximum tensor size/,
    );
    // Large but allowed sizes are checked against the data length, never allocated first.
    const large = savedStep();
    large.weights.w0.shape = [30000, 30000];
    const started = performance.now();
    rejects(
      large,
      /weights\.w0\.data: a float32 tensor of shape \[30000,30000\] needs 3600000000 bytes \(4800000000 base64 characters\) but the data has 8 characters/,
    );
    expect(performance.now() - started).toBeLessThan(1000);
    const constant = savedStep();
    Object.assign(opNamed(constant, "x"), {
      attrs: { shape: [1e9, 1e9], dtype: "float32" },
      outputs: [{ shape: [1e9, 1e9], dtype: "float32" }],
    });
    rejects(constant, /declares 1000000000000000000 elements, more than the maximum tensor size/);
    const packed = savedStep();
    const big = { shape: [1e9, 1e9], dtype: "float32" };
    graphOf(packed).operations.unshift({ name: "big", type: "Const", inputs: [], attrs: { value: [1], ...big }, outputs: [big] });
    rejects(packed, /the op rejects its inputs or attributes: Const: value has 1 elements but shape \[1000000000,1000000000\] needs/);
  });

  it("K1: malformed weight data is rejected: bad base64, bool values other than 0/1, mismatched types", () => {
    const base64 = savedStep();
    base64.weights.w0.data = "AAA*AA==";
    rejects(base64, /invalid base64 character "\*" at offset 3/);
    const bools = savedStep();
    const boolKey = Object.keys(bools.weights).find((k) => bools.weights[k].dtype === "bool")!;
    bools.weights[boolKey].data = "AgA="; // bytes 2, 0
    rejects(bools, /bool values must be 0 or 1, element 0 is 2/);
    const kind = savedStep();
    kind.weights.w0.kind = "tensor";
    rejects(kind, /captures\[0\]: weight 'w0' does not match the graph's input 1/);
    const dangling = savedStep();
    dangling.functions[0].captures[0] = "w9";
    rejects(dangling, /refers to weight 'w9', which is not in 'weights'/);
  });

  it("K1: values of the wrong JSON type are rejected with the path to them", () => {
    const cases: [(s: any) => void, RegExp][] = [
      [(s) => (s.functions = "all of them"), /functions: expected an array, received the string "all of them"/],
      [(s) => (graphOf(s).operations = {}), /graph\.operations: expected an array, received an object/],
      [(s) => (opNamed(s, "mul").inputs = 5), /operations\[\d+\]\.inputs: expected an array, received number 5/],
      [(s) => (opNamed(s, "x").outputs[0].shape = "abc"), /outputs\[0\]\.shape: expected an array/],
      [(s) => (opNamed(s, "x").outputs[0].shape = [-1]), /shape\[0\]: expected a dimension size/],
      [(s) => (opNamed(s, "mul").name = 7), /\.name: expected a string, received number 7/],
      [(s) => (s.functions[0].params = null), /params: expected an array, received null/],
      [(s) => (s.weights.w0.shape = [1.5]), /weights\.w0\.shape\[0\]: expected a dimension size/],
      [(s) => (s.functions[0].params[0].kind = "code"), /params\[0\]\.kind: expected "tensor", "variable", "literal", "list" or "dict"/],
      [(s) => delete opNamed(s, "mul").attrs, /missing field 'attrs'/],
      [(s) => (s.version = 2), /this Kiln reads version 1, received 2/],
      [(s) => (s.format = "tf.saved_model"), /format: expected "kiln.function"/],
      [(s) => (graphOf(s).version = "1"), /graph\.version: this Kiln reads version 1 graphs/],
    ];
    for (const [breakIt, message] of cases) {
      const saved = savedStep();
      breakIt(saved);
      rejects(saved, message);
    }
    rejects(null, /saved function: expected an object, received null/);
    rejects("{not json", /saved function: not valid JSON/);
  });

  it("K1: prototype-pollution keys are rejected wherever they appear and pollute nothing", () => {
    const text = JSON.stringify(savedStep());
    const attack = (from: string, to: string) => {
      expect(text).toContain(from);
      return text.replace(from, to);
    };
    const payload = '"__proto__":{"polluted":true,"shape":[1e9]}';
    rejects(attack('"format":"kiln.function"', `${payload},"format":"kiln.function"`), /saved function: forbidden key '__proto__'/);
    rejects(attack('"attrs":{}', `"attrs":{${payload}}`), /attrs: forbidden key '__proto__'/);
    rejects(
      attack('"attrs":{"axis"', `"attrs":{"constructor":{"prototype":{"polluted":true}},"axis"`),
      /attrs: forbidden key 'constructor'/,
    );
    rejects(attack('"weights":{', `"weights":{${payload},`), /weights: forbidden key '__proto__'/);
    rejects(attack('"captures":["w0"', `"captures":["constructor"`), /refers to weight 'constructor', which is not in 'weights'/);
    rejects(attack('"captures":["w0"', `"captures":["__proto__"`), /refers to weight '__proto__', which is not in 'weights'/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).shape).toBeUndefined();
  });

  it("K1: the loader has no code-evaluation path: no eval, no Function constructor, no dynamic import", () => {
    for (const file of ["../../src/ir/serialize.ts", "../../src/function/saved_function.ts", "../../src/function/loaded_function.ts"]) {
      const source = readFileSync(new URL(file, import.meta.url), "utf8");
      expect(source, file).not.toMatch(/\beval\s*\(|new\s+Function\b|\bFunction\s*\(|import\s*\(/);
    }
  });
});
