import * as tf from "@kiln/core";
import { describe, expect, it } from "vitest";
import { convert } from "../src/index.js";
import "../src/register.js";
import { useCpu } from "./helpers.js";
import { generateProgram, seededRandom } from "./program_generator.js";

useCpu();

type Program = (a: unknown, b: unknown) => unknown;

function compile(source: string): Program {
  return new Function(`return (${source})`)() as Program;
}

function outcome(fn: () => unknown): { value?: unknown; error?: string } {
  try {
    return { value: fn() };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

describe("property: random integer programs, converted vs plain JS", () => {
  it("give the same results (or the same errors) on JS values, 300 programs x 3 inputs", () => {
    const random = seededRandom(20240611);
    const inputs = [
      [0, 0],
      [3, -2],
      [-5, 7],
    ];
    for (let n = 0; n < 300; n++) {
      const source = generateProgram(random, { tensorSafe: false });
      const plain = compile(source);
      const converted = convert(plain);
      for (const [a, b] of inputs) {
        expect(
          outcome(() => converted(a, b)),
          `program ${n} (${a}, ${b}):\n${source}`,
        ).toEqual(outcome(() => plain(a, b)));
      }
    }
  });

  it("give the same results converted-and-traced (float32 tensor inputs) as plain JS on numbers, 80 programs x 3 inputs", () => {
    const random = seededRandom(7);
    const inputs = [
      [1, 2],
      [4, -3],
      [-2, -2],
    ];
    for (let n = 0; n < 80; n++) {
      const source = generateProgram(random, { tensorSafe: true });
      const plain = compile(source);
      const traced = tf.function(plain);
      for (const [a, b] of inputs) {
        const expected = plain(a, b) as number[];
        const result = tf.tidy(() =>
          (traced(tf.scalar(a!), tf.scalar(b!)) as (tf.Tensor | number)[]).map((v) =>
            typeof v === "number" ? v : (v.dataSync()[0] as number),
          ),
        );
        expect(result, `program ${n} (${a}, ${b}):\n${source}\n${"-".repeat(20)}\n`).toEqual(
          expected.map((v) => (typeof v === "boolean" ? Number(v) : v)),
        );
      }
      expect(traced.tracingCount, `program ${n} traces once for all inputs`).toBe(1);
    }
  });
});
