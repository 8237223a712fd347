import * as tf from "@kiln/core";
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

/** The values part of TF's tensor string (what NumPy's `str` prints). */
const text = (t: tf.Tensor) => {
  const s = t.toString();
  t.dispose();
  return s.replace(/^tf\.Tensor\(\n?/, "").replace(/, shape=.*$/s, "");
};

describe("tensor strings format values like NumPy (TF's eager repr); expected strings are NumPy 2.4's", () => {
  it.each([
    ["a tiny and a large value: scientific, one mantissa width, no padding inside a number", [1e-5, -2500], "[ 1.0e-05 -2.5e+03]"],
    ["mantissas without a fraction keep the point", [1e-5, 1e3], "[1.e-05 1.e+03]"],
    ["a ratio over 1000 switches to scientific", [1, 1001], "[1.000e+00 1.001e+03]"],
    ["magnitudes from 1e6 on (float32) are scientific", [1e6, 1], "[1.e+06 1.e+00]"],
    ["zero in scientific notation", [0, 1e-7], "[0.e+00 1.e-07]"],
    ["nan and -inf are right-aligned to the common width", [Number.NaN, 1e-7, -Infinity], "[   nan 1.e-07   -inf]"],
    ["positional: at most 8 decimals, ties to even", [0.001234567, 1], "[0.00123457 1.        ]"],
    ["positional: unique float32 digits, ties to even (61720.3125 -> 61720.312)", [61720.3125, 100], "[61720.312   100.   ]"],
    ["-0 keeps its sign", [-0, 1], "[-0.  1.]"],
  ])("%s", (_, values, expected) => {
    expect(text(tf.tensor(values as number[]))).toBe(expected);
  });

  it("long rows wrap at 75 columns with a hanging indent", () => {
    expect(text(tf.range(0, 30))).toBe(
      "[ 0.  1.  2.  3.  4.  5.  6.  7.  8.  9. 10. 11. 12. 13. 14. 15. 16. 17.\n 18. 19. 20. 21. 22. 23. 24. 25. 26. 27. 28. 29.]",
    );
    expect(text(tf.reshape(tf.range(0, 40, 1, "int32"), [2, 20]).mul(1000))).toBe(
      [
        "[[    0  1000  2000  3000  4000  5000  6000  7000  8000  9000 10000 11000",
        "  12000 13000 14000 15000 16000 17000 18000 19000]",
        " [20000 21000 22000 23000 24000 25000 26000 27000 28000 29000 30000 31000",
        "  32000 33000 34000 35000 36000 37000 38000 39000]]",
      ].join("\n"),
    );
  });

  it("more than 1000 elements are summarised with '...', 3 items at each edge, in every dimension", () => {
    expect(text(tf.reshape(tf.range(0, 1010, 1, "int32"), [2, 505]))).toBe("[[   0    1    2 ...  502  503  504]\n [ 505  506  507 ... 1007 1008 1009]]");
    expect(text(tf.reshape(tf.range(0, 1100, 1, "int32"), [110, 10]))).toBe(
      [
        "[[   0    1    2 ...    7    8    9]",
        " [  10   11   12 ...   17   18   19]",
        " [  20   21   22 ...   27   28   29]",
        " ...",
        " [1070 1071 1072 ... 1077 1078 1079]",
        " [1080 1081 1082 ... 1087 1088 1089]",
        " [1090 1091 1092 ... 1097 1098 1099]]",
      ].join("\n"),
    );
  });

  it("bools are padded to ' True' even when no False is shown, as NumPy does", () => {
    expect(text(tf.tensor([true, true]))).toBe("[ True  True]");
  });

  it("0-d floats print like NumPy's float32 scalars (scientific below 1e-4 and from 1e6 on)", () => {
    expect(text(tf.scalar(1e-5))).toBe("1e-05");
    expect(text(tf.scalar(1234567))).toBe("1.234567e+06");
    expect(text(tf.scalar(999999))).toBe("999999.0");
    expect(text(tf.scalar(-2500))).toBe("-2500.0");
  });

  it("matches NumPy 2.4's str on 124 random float32 and int32 tensors (fixture from numpy_cases.py)", () => {
    const cases = JSON.parse(readFileSync(new URL("./numpy_cases.json", import.meta.url), "utf8")) as {
      shape: number[];
      dtype: "float32" | "int32";
      values: (number | string)[];
      text: string;
    }[];
    const mismatches: string[] = [];
    for (const c of cases) {
      const values = c.values.map((v) => (typeof v === "number" ? v : v === "nan" ? Number.NaN : v === "inf" ? Infinity : -Infinity));
      const got = text(tf.tensor(values, c.shape, c.dtype));
      if (got !== c.text) mismatches.push(`shape ${JSON.stringify(c.shape)}:\nNumPy:\n${c.text}\nKiln:\n${got}`);
    }
    expect(mismatches).toEqual([]);
    expect(cases.length).toBe(124);
  });
});

describe("t.print() writes tfjs's format to the console", () => {
  /** What `print` logs. */
  function printed(fn: () => void): string[] {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      fn();
      return log.mock.calls.map((args) => args.join(" "));
    } finally {
      log.mockRestore();
    }
  }

  it.each([
    ["a float32 scalar (all its digits, as tfjs shows a float32 scalar)", () => tf.scalar(0.1), "Tensor\n    0.10000000149011612"],
    ["a vector", () => tf.tensor1d([1, 2.5, -3]), "Tensor\n    [1, 2.5, -3]"],
    ["a matrix, each column padded to its widest entry", () => tf.tensor2d([[1, 22, 3], [400, 5, 6.25]]), "Tensor\n    [[1  , 22, 3   ],\n     [400, 5 , 6.25]]"],
    ["rank 3, blocks separated by a blank line", () => tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]), "Tensor\n    [[[1, 2],\n      [3, 4]],\n\n     [[5, 6],\n      [7, 8]]]"],
    ["bools", () => tf.tensor1d([true, false], "bool"), "Tensor\n    [true, false]"],
    ["values rounded to 7 decimals", () => tf.tensor1d([1e-5, 0.1234567891]), "Tensor\n    [0.00001, 0.1234568]"],
    ["non-finite values", () => tf.tensor1d([Number.NaN, Infinity, -Infinity]), "Tensor\n    [NaN, Infinity, -Infinity]"],
    ["more than 20 entries summarised", () => tf.range(0, 30), "Tensor\n    [0, 1, 2, ..., 27, 28, 29]"],
    ["an empty matrix", () => tf.zeros([2, 0]), "Tensor\n    [[],\n     []]"],
  ])("%s", (_, make, expected) => {
    const t = make();
    expect(printed(() => t.print())).toEqual([expected]);
    t.dispose();
  });

  it("verbose adds the dtype, rank and shape", () => {
    const t = tf.tensor1d([1, 2], "int32");
    expect(printed(() => t.print(true))).toEqual(["Tensor\n  dtype: int32\n  rank: 1\n  shape: [2]\n  values:\n    [1, 2]"]);
    t.dispose();
  });

  it("summarises long rows and columns like tfjs", () => {
    const t = tf.reshape(tf.range(0, 625), [25, 25]);
    expect(printed(() => t.print())[0]).toBe(
      [
        "Tensor",
        "    [[0  , 1  , 2  , ..., 22 , 23 , 24 ],",
        "     [25 , 26 , 27 , ..., 47 , 48 , 49 ],",
        "     [50 , 51 , 52 , ..., 72 , 73 , 74 ],",
        "     ...,",
        "     [550, 551, 552, ..., 572, 573, 574],",
        "     [575, 576, 577, ..., 597, 598, 599],",
        "     [600, 601, 602, ..., 622, 623, 624]]",
      ].join("\n"),
    );
    t.dispose();
  });

  it("prints what tfjs-core 4.22 prints, on 200 random tensors of every dtype and rank 0 to 4", async () => {
    const tfjs = await import("@tensorflow/tfjs-core");
    await import("@tensorflow/tfjs-backend-cpu");
    tfjs.env().set("IS_TEST", true); // no "install tfjs-node" banner
    await tfjs.setBackend("cpu");
    const random = seeded(7);
    const mismatches: string[] = [];
    for (let i = 0; i < 200; i++) {
      const shape = Array.from({ length: Math.floor(random() * 5) }, () => Math.floor(random() * (random() < 0.2 ? 30 : 5)));
      const size = shape.reduce((a, b) => a * b, 1);
      const dtype = (["float32", "float32", "int32", "bool"] as const)[Math.floor(random() * 4)]!;
      const scale = 10 ** Math.floor(random() * 16 - 8);
      const values: number[] | boolean[] =
        dtype === "bool"
          ? Array.from({ length: size }, () => random() < 0.5)
          : Array.from({ length: size }, () => (dtype === "int32" ? Math.round((random() - 0.5) * 1000) : (random() - 0.5) * scale));
      const verbose = random() < 0.2;
      const expected = tfjs.tidy(() => tfjs.tensor(values, shape, dtype).toString(verbose));
      const t = tf.tensor(values, shape, dtype);
      const got = printed(() => t.print(verbose))[0];
      t.dispose();
      if (got !== expected) mismatches.push(`${JSON.stringify(shape)} ${dtype}:\ntfjs:\n${expected}\nKiln:\n${got}`);
    }
    expect(mismatches).toEqual([]);
  });

  it("a symbolic tensor cannot print while tracing: the error names tf.print", () => {
    const f = tf.function((x: tf.Tensor) => {
      x.print();
      return x;
    });
    expect(() => f(tf.scalar(1))).toThrow(tf.SymbolicTensorError);
    expect(() => f(tf.scalar(2))).toThrow(/print: .*symbolic.*tf\.print/);
  });
});

/** A small deterministic generator (Park–Miller). */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
}
