import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { useCpu } from "../setup.js";
import { repairDeclaredOutputs } from "./saved_file_mutations.js";
import { disposeAll, savedFile } from "./saved_files.js";

useCpu();

// SPEC K2: loading validates every op's attributes, by the rules tracing follows, before
// anything runs. Each case edits one valid file in one place (the files are in
// saved_files.ts) and expects a GraphFormatError that says what is wrong.

type Json = any;

const top = (saved: Json) => saved.functions[0].graph;
const opNamed = (graph: Json, name: string) => graph.operations.find((o: Json) => o.name === name);
const library = (saved: Json, name: string) => top(saved).library.find((f: Json) => f.name === name).graph;

/**
 * Loading `saved` fails with a GraphFormatError matching `message`, and nothing is left
 * allocated. Output types the edit changed are declared anew first (as a forger would), so
 * the failure is the rule under test, not the declaration.
 */
function rejects(saved: unknown, message: RegExp): void {
  const before = tf.memory();
  let error: unknown;
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      tf.loadFunction(saved as tf.SavedFunction).dispose();
      error = undefined;
      break;
    } catch (e) {
      error = e;
      if (!repairDeclaredOutputs(saved, e)) break;
    }
  }
  expect(error).toBeInstanceOf(tf.GraphFormatError);
  expect((error as Error).message).toMatch(message);
  expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
}

/** Sets a call's, `If`'s or `While`'s output types, and declares them as the op's outputs. */
function setTout(op: Json, Tout: Json): void {
  op.attrs.Tout = Tout;
  op.outputs = Tout.map((t: Json) => ({ ...t }));
}

/** Loads `saved`, calls it on `args`, and returns the results' values. */
function runs(saved: unknown, args: unknown[]): unknown {
  const loaded = tf.loadFunction(saved as tf.SavedFunction);
  const result = loaded(...args);
  const values = Array.isArray(result) ? result.map((t) => (t as tf.Tensor).arraySync()) : (result as tf.Tensor).arraySync();
  disposeAll([result, args]);
  loaded.dispose();
  return values;
}

describe("SPEC K2: If attributes are validated when loading", () => {
  const edited = (edit: (cond: Json, saved: Json) => void) => {
    const { saved } = savedFile("branches");
    edit(opNamed(top(saved), "cond"), saved);
    return saved;
  };

  it("K2: the unedited file runs (then branch reads the variable, else branch negates)", () => {
    const { saved } = savedFile("branches");
    expect(runs(saved, [tf.tensor([3, 1])])).toEqual([6, 2]);
    expect(runs(saved, [tf.tensor([1, -3])])).toEqual([-1, 3]);
  });

  it("K2: branch input lists must be integers indexing the op's inputs after the predicate", () => {
    for (const bad of [[3], [0], [-1], [1.5], ["2"], [2 ** 32 + 2], "2", null]) {
      rejects(
        edited((cond) => (cond.attrs.elseInputs = bad)),
        /\(If\): the op rejects its inputs or attributes: cond: 'elseInputs' must list indices of the op's inputs \(integers from 1 to 2\)/,
      );
    }
  });

  it("K2: branch references must be function names of the library", () => {
    rejects(
      edited((cond) => (cond.attrs.thenBranch = 7)),
      /cond: 'thenBranch' must name a function of the graph's library, received 7/,
    );
    rejects(
      edited((cond) => (cond.attrs.elseBranch = "nowhere")),
      /\(If\)\.attrs\.elseBranch: calls function 'nowhere', which is not in the library/,
    );
  });

  it("K2: each branch must take the inputs it is given (count, resource or tensor, dtype, shape)", () => {
    rejects(
      edited((cond) => ([cond.attrs.thenBranch, cond.attrs.elseBranch] = [cond.attrs.elseBranch, cond.attrs.thenBranch])),
      /passes 1 input\(s\) to 'cond_true_\d+', which takes 2/,
    );
    rejects(
      edited((cond) => (cond.attrs.thenInputs = [2, 1])),
      /input 2 is float32\[2\] but 'cond_true_\d+' takes resource<float32\[\]> \(its parameter 0\)/,
    );
    rejects(
      edited((cond) => (cond.attrs.elseInputs = [1])),
      /input 1 is resource<float32\[\]> but 'cond_false_\d+' takes float32\[2\] \(its parameter 0\)/,
    );
  });

  it("K2: Tout must be well-formed and be what both branches return", () => {
    rejects(
      edited((cond) => setTout(cond, [{ shape: [2], dtype: "int32" }])),
      /outputs \(int32\[2\]\) differ from what 'cond_true_\d+' returns \(float32\[2\]\)/,
    );
    rejects(
      edited((cond) => setTout(cond, [{ shape: [3], dtype: "float32" }])),
      /outputs \(float32\[3\]\) differ from what 'cond_true_\d+' returns \(float32\[2\]\)/,
    );
    rejects(
      edited((cond) => setTout(cond, [{ shape: [2], dtype: "float32" }, { shape: [2], dtype: "float32" }])),
      /differ from what 'cond_true_\d+' returns/,
    );
    rejects(
      edited((cond) => (cond.attrs.Tout = [{ shape: [-2], dtype: "float32" }])),
      /cond: 'Tout\[0\]' must be \{ shape, dtype \}/,
    );
    rejects(
      edited((cond) => (cond.attrs.Tout = "float32")),
      /cond: 'Tout' must be a list of output types/,
    );
  });

  it("K2: the predicate must be a bool tensor of one element, not a variable resource", () => {
    rejects(
      edited((cond) => (cond.inputs[0] = "sum:0")),
      /cond: the predicate \(input 0\) must be a bool tensor, received dtype float32/,
    );
    rejects(
      edited((cond) => (cond.inputs[0] = "if_resource:0")),
      /the predicate \(input 0\) must be a bool tensor|predicate \(input 0\) is a variable resource/,
    );
  });
});

describe("SPEC K2: While attributes are validated when loading", () => {
  const edited = (edit: (loop: Json, saved: Json) => void, name = "whileLoop") => {
    const { saved } = savedFile("loops");
    edit(opNamed(top(saved), name), saved);
    return saved;
  };

  it("K2: the unedited file runs both loops", () => {
    const { saved } = savedFile("loops");
    expect(runs(saved, [tf.scalar(4, "int32"), tf.tensor([1, 2])])).toEqual([6, [1.875, 1.34375]]);
  });

  it("K2: numLoopVars must be an integer count of the op's inputs that Tout describes", () => {
    for (const bad of [-1, 1.5, 4, "2", null]) {
      rejects(
        edited((loop) => (loop.attrs.numLoopVars = bad)),
        /whileLoop: 'numLoopVars' must be an integer from 0 to the op's 3 inputs/,
      );
    }
    rejects(
      edited((loop) => (loop.attrs.numLoopVars = 1)),
      /whileLoop: 'condInputs' must list indices of the op's inputs \(integers from 1 to 2\)|'Tout' must give one type per loop variable/,
    );
    rejects(
      edited((loop) => (loop.attrs.numLoopVars = 3)),
      /whileLoop: 'condInputs' must list indices of the op's inputs \(empty/,
    );
  });

  it("K2: condInputs and bodyInputs index the inputs after the loop variables", () => {
    for (const bad of [[0], [1], [3], [2.5], [-1]]) {
      rejects(
        edited((loop) => (loop.attrs.condInputs = bad)),
        /whileLoop: 'condInputs' must list indices of the op's inputs \(integers from 2 to 2\)/,
      );
    }
    rejects(
      edited((loop) => (loop.attrs.bodyInputs = [2])),
      /'while_body_\d+' takes 2 input\(s\), but the loop passes 2 loop variable\(s\) and 1 more/,
    );
  });

  it("K2: maximumIterations is null or a non-negative integer; 0 runs no iteration", () => {
    for (const bad of [-1, 0.5, "3", { "@number": "NaN" }, { "@number": "Infinity" }, [3]]) {
      rejects(
        edited((loop) => (loop.attrs.maximumIterations = bad), "whileLoop_1"),
        /whileLoop: 'maximumIterations' must be null or a non-negative integer/,
      );
    }
    expect(runs(edited((loop) => (loop.attrs.maximumIterations = 0), "whileLoop_1"), [tf.scalar(1, "int32"), tf.tensor([1, 2])])).toEqual([0, [1, 2]]);
  });

  it("K2: Tout gives each loop variable's type, which its initial value must fit", () => {
    rejects(
      edited((loop) => (loop.attrs.Tout[1] = { shape: [], dtype: "float32" })),
      /whileLoop: loop variable 1 is int32\[\], which does not fit its type in 'Tout', float32\[\]/,
    );
    rejects(
      edited((loop) => (loop.attrs.Tout[0] = { shape: [2], dtype: "int32" })),
      /loop variable 0 is int32\[\], which does not fit its type in 'Tout', int32\[2\]/,
    );
  });

  it("K2: the condition returns one bool scalar, the body the loop variables' types", () => {
    rejects(
      edited((loop) => (loop.attrs.cond = loop.attrs.body)),
      /the condition 'while_body_\d+' must return one bool scalar, it returns \(int32\[\], int32\[\]\)/,
    );
    rejects(
      edited((loop) => (loop.attrs.body = loop.attrs.cond)),
      /'while_cond_\d+' takes 3 input\(s\), but the loop passes 2 loop variable\(s\) and 0 more/,
    );
    const { saved } = savedFile("loops");
    const body = library(saved, opNamed(top(saved), "whileLoop_1").attrs.body);
    opNamed(body, "Identity_1").inputs[0] = "add:0";
    opNamed(body, "Identity_1").outputs[0] = { shape: [], dtype: "int32" };
    rejects(saved, /outputs \(int32\[\], float32\[2\]\) differ from what 'while_body_\d+' returns \(int32\[\], int32\[\]\)/);
  });

  it("K2: loop variable parameters must accept every value of the declared type", () => {
    const { saved } = savedFile("loops");
    const param = opNamed(library(saved, opNamed(top(saved), "whileLoop_1").attrs.cond), "loop_var_1");
    param.attrs.shape = [3];
    param.outputs[0].shape = [3];
    rejects(saved, /loop variable 1 is float32\[2\] but 'while_cond_\d+' takes float32\[3\]/);
  });
});

describe("SPEC K2: calls are validated against the functions they call", () => {
  const edited = (edit: (call: Json, saved: Json) => void) => {
    const { saved } = savedFile("calls");
    edit(opNamed(top(saved), "StatefulPartitionedCall"), saved);
    return saved;
  };

  it("K2: f names a library function, and Tout is what it returns", () => {
    rejects(
      edited((call) => (call.attrs.f = [call.attrs.f])),
      /StatefulPartitionedCall: 'f' must name a function of the graph's library/,
    );
    rejects(
      edited((call) => setTout(call, [{ shape: [2], dtype: "float32" }, { shape: [2], dtype: "int32" }])),
      /outputs \(float32\[2\], int32\[2\]\) differ from what '__inference_inner_\d+' returns \(float32\[2\], float32\[2\]\)/,
    );
    rejects(
      edited((call) => setTout(call, [{ shape: [2], dtype: "float32" }, { shape: [3], dtype: "float32" }])),
      /outputs \(float32\[2\], float32\[3\]\) differ from what '__inference_inner_\d+' returns \(float32\[2\], float32\[2\]\)/,
    );
  });

  it("K2: the call passes what the function takes", () => {
    rejects(
      edited((call) => call.inputs.pop()),
      /passes 1 input\(s\) to '__inference_inner_\d+', which takes 2/,
    );
  });

  it("K2: a stateless call cannot run a function with side effects (it could be pruned or merged)", () => {
    rejects(
      edited((call) => (call.type = "PartitionedCall")),
      /PartitionedCall is stateless, but '__inference_inner_\d+' has a side effect \(PrintV2\); use the stateful op/,
    );
  });
});

describe("SPEC K2: every other op's attributes are validated when loading", () => {
  it("K2: Const values must match the shape and be values of the dtype", () => {
    const cases: [(c: Json) => void, RegExp][] = [
      [(c) => (c.attrs.value = [0.5]), /Const: value\[0\] is 0\.5, which a int32 tensor cannot hold exactly/],
      [(c) => (c.attrs.value = [2 ** 31]), /Const: value\[0\] is 2147483648/],
      [(c) => (c.attrs.value = ["1"]), /Const: value\[0\] is "1"/],
      [(c) => (c.attrs.shape = [null]), /Const: 'shape' must be an array of dims \(integers from 0 to 2147483647\)/],
      [(c) => (c.attrs.shape = [2]), /Const: value has 1 elements but shape \[2\] needs 2/],
    ];
    for (const [edit, message] of cases) {
      const { saved } = savedFile("loops");
      edit(opNamed(library(saved, opNamed(top(saved), "whileLoop").attrs.body), "add/y"));
      rejects(saved, message);
    }
    const { saved } = savedFile("loops");
    opNamed(library(saved, opNamed(top(saved), "whileLoop_1").attrs.cond), "Const").attrs.value = [2];
    rejects(saved, /Const: value\[0\] is 2, which a bool tensor cannot hold exactly/);
  });

  it("K2: Placeholder attributes: a shape of dims (or null) and a boolean resource flag", () => {
    for (const [edit, message] of [
      [(p: Json) => (p.attrs.resource = "yes"), /placeholder: 'resource' must be true, false or absent, received "yes"/],
      [(p: Json) => (p.attrs.shape = [-1]), /placeholder: 'shape' must be an array of dims/],
      [(p: Json) => (p.attrs.shape = "2"), /placeholder: 'shape' must be an array of dims/],
    ] as const) {
      const { saved } = savedFile("variables");
      edit(opNamed(top(saved), "x"));
      rejects(saved, message);
    }
  });

  it("K2: variable ops take a variable's resource, and values that are tensors", () => {
    const read = savedFile("variables").saved;
    opNamed(top(read), "ReadVariableOp_1").inputs[0] = "sum:0";
    rejects(read, /input 0 \(sum:0\) is a tensor but the op expects a variable resource/);
    const assign = savedFile("variables").saved;
    opNamed(top(assign), "AssignAddVariableOp").inputs[1] = "assignaddvariableop_resource:0";
    rejects(assign, /input 1 \(assignaddvariableop_resource:0\) is a variable resource but the op expects a tensor/);
  });

  it("K2: an attr without its tensor input must be fully known (no null values)", () => {
    const cases: [string, (a: Json) => void, RegExp][] = [
      ["fill", (a) => (a.shape = [null, 3]), /\(Fill\): attribute 'shape' has unknown \(null\) values, which only a 'shape' input could give/],
      ["range", (a) => (a.stop = null), /\(Range\): attribute 'stop' has unknown \(null\) values, which only a 'limit' input could give/],
      ["reshape", (a) => (a.shape = [1, null, 3]), /\(Reshape\): attribute 'shape' has unknown \(null\) values/],
      ["oneHot", (a) => (a.depth = null), /\(OneHot\): attribute 'depth' has unknown \(null\) values/],
    ];
    for (const [name, edit, message] of cases) {
      const { saved } = savedFile("sizes");
      edit(opNamed(top(saved), name).attrs);
      rejects(saved, message);
    }
  });

  it("K2: an attr given as a tensor input is an int32 vector of known length, or one number", () => {
    const shape = savedFile("sizes").saved;
    top(shape).operations.find((o: Json) => o.type === "Fill" && o.inputs.length === 1).inputs[0] = "k:0";
    rejects(shape, /\(Fill\): input 'shape' is float32\[\], but it must be an int32 vector of known length/);
    const bound = savedFile("sizes").saved;
    opNamed(top(bound), "range_1").inputs[1] = "x:0";
    rejects(bound, /\(Range\): input 'limit' is float32\[2,3\], but it must be a number/);
  });

  it("K2: window attributes: explicit sizes only with EXPLICIT padding, no dilations on pools", () => {
    const conv = savedFile("layout").saved;
    opNamed(top(conv), "conv2d").attrs.explicitPaddings = [0, 0, 1, 1, 1, 1, 0, 0];
    rejects(conv, /conv2d: explicitPaddings must be \[\] with padding "SAME"/);
    const missing = savedFile("layout").saved;
    delete opNamed(top(missing), "maxPool").attrs.explicitPaddings;
    rejects(missing, /maxPool: explicitPaddings must be \[\] with padding "VALID", received undefined/);
    const pool = savedFile("layout").saved;
    opNamed(top(pool), "maxPool").attrs.dilations = [1, 2, 2, 1];
    rejects(pool, /maxPool: pooling takes no 'dilations'/);
  });

  it("K2: an op's number of outputs is bounded, so inference cannot be made to build millions of them", () => {
    const { saved } = savedFile("calls");
    opNamed(top(saved), "split").attrs.numSplit = 2 ** 30;
    const started = performance.now();
    rejects(saved, /split: 'numOrSizeSplits' asks for 1073741824 parts; an op makes at most 1048576 tensors/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("K2: loading runs nothing from the file (tf.print in a called function prints only when called)", () => {
    const { saved } = savedFile("calls");
    const lines: string[] = [];
    const runtime = tf.getRuntime();
    const print = runtime.print;
    runtime.print = (line) => lines.push(line);
    try {
      const loaded = tf.loadFunction(saved);
      expect(lines).toEqual([]);
      const args = [{ a: tf.tensor([1, 2]), scale: 3 }];
      disposeAll(loaded(...args));
      disposeAll(args);
      loaded.dispose();
      expect(lines).toEqual(["inner [1 2]"]);
    } finally {
      runtime.print = print;
    }
  });
});
