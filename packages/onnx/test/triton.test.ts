/**
 * The Triton model configuration written for an export names the model's inputs and outputs
 * with Triton's data types and dims, and leaves the batch dimension out when batching.
 */
import * as keras from "@kiln/keras";
import { beforeAll, describe, expect, it } from "vitest";
import { fashionCnn } from "../../../examples/fashion_mnist/model.mjs";
import { kerasToOnnx, OnnxExportError, toOnnx, tritonConfig } from "../src/index.js";
import { tf, useCpu } from "./setup.js";

beforeAll(useCpu);

describe("tritonConfig", () => {
  it("writes the Fashion-MNIST CNN's config.pbtxt (the one in the README)", () => {
    const bytes = kerasToOnnx(fashionCnn(keras), { inputNames: ["images"], outputNames: ["logits"] });
    expect(tritonConfig(bytes, { name: "fashion_cnn", maxBatchSize: 64, cpuInstances: 1 })).toBe(
      [
        'name: "fashion_cnn"',
        'platform: "onnxruntime_onnx"',
        "max_batch_size: 64",
        "input [",
        "  {",
        '    name: "images"',
        "    data_type: TYPE_FP32",
        "    dims: [ 28, 28, 1 ]",
        "  }",
        "]",
        "output [",
        "  {",
        '    name: "logits"',
        "    data_type: TYPE_FP32",
        "    dims: [ 10 ]",
        "  }",
        "]",
        "dynamic_batching { }",
        "instance_group [",
        "  {",
        "    count: 1",
        "    kind: KIND_CPU",
        "  }",
        "]",
        "",
      ].join("\n"),
    );
  });

  it("keeps full shapes without batching, with -1 for unknown dims, and int32 inputs", () => {
    const f = tf.function((ids: tf.Tensor) => tf.oneHot(ids, 4), { inputSignature: [new tf.TensorSpec([2, null], "int32")] });
    const text = tritonConfig(toOnnx(f, { inputNames: ["ids"], outputNames: ["onehot"] }), { name: "onehot" });
    expect(text).toContain("max_batch_size: 0");
    expect(text).toContain('name: "ids"\n    data_type: TYPE_INT32\n    dims: [ 2, -1 ]');
    expect(text).toContain("dims: [ 2, -1, 4 ]");
    expect(text).not.toContain("dynamic_batching");
  });

  it("refuses batching when an input has a fixed first dimension", () => {
    const f = tf.function((x: tf.Tensor) => tf.neg(x), { inputSignature: [new tf.TensorSpec([3, 2])] });
    expect(() => tritonConfig(toOnnx(f), { name: "neg", maxBatchSize: 8 })).toThrow(OnnxExportError);
    expect(() => tritonConfig(toOnnx(f), { name: "neg", maxBatchSize: 8 })).toThrow(/'x' has dims \[3, 2\]/);
  });
});
