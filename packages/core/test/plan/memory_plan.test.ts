import { describe, expect, it } from "vitest";
import { planMemory, type PlannedStep } from "../../src/plan/memory_plan.js";

const f32 = (size: number) => ({ dtype: "float32" as const, size });

/** Steps of a chain: step k reads slot k and writes slot k + 1. */
function chain(sizes: readonly number[]): PlannedStep[] {
  return sizes.map((size, k) => ({ inputs: [k], outputs: [k + 1], outputSpecs: [f32(size)] }));
}

describe("static memory planning (planMemory)", () => {
  it("reuses a buffer once its value has been read for the last time, never for the step reading it", () => {
    // 0 -> 1 -> 2 -> 3 -> 4: each value is read by the next step only.
    const steps = chain([4, 4, 4, 4]);
    const lastReader = (s: number) => (s < 4 ? s : undefined);
    const plan = planMemory(steps, lastReader, (s) => s === 4);
    // Slot 1 dies at step 1 (which writes slot 2), so slot 3 (step 2) reuses slot 1's buffer.
    expect([plan.bufferOf.get(1), plan.bufferOf.get(2), plan.bufferOf.get(3), plan.bufferOf.get(4)]).toEqual([0, 1, 0, undefined]);
    expect(plan.buffers).toEqual([f32(4), f32(4)]);
    expect(plan.bytes).toBe(32);
  });

  it("matches buffers by dtype and size, and leaves steps without static sizes to the pool", () => {
    const steps: PlannedStep[] = [
      { inputs: [0], outputs: [1], outputSpecs: [f32(8)] },
      { inputs: [1], outputs: [2], outputSpecs: [{ dtype: "int32", size: 8 }] },
      { inputs: [2], outputs: [3] }, // dynamic: no specs
      { inputs: [3], outputs: [4], outputSpecs: [f32(4)] },
      { inputs: [4], outputs: [5], outputSpecs: [f32(8)] },
    ];
    const plan = planMemory(steps, (s) => (s < 5 ? s : undefined), (s) => s === 5);
    expect(plan.bufferOf.has(3)).toBe(false);
    // Slot 1's float32[8] buffer is free again, but slot 5 escapes; slot 4 is float32[4]: new.
    expect(plan.buffers).toEqual([f32(8), { dtype: "int32", size: 8 }, f32(4)]);
  });

  it("keeps a value's buffer until its last reader, however late", () => {
    // Slot 1 is read by steps 1 and 3: slots 2 and 3 cannot take its buffer.
    const steps: PlannedStep[] = [
      { inputs: [0], outputs: [1], outputSpecs: [f32(2)] },
      { inputs: [1], outputs: [2], outputSpecs: [f32(2)] },
      { inputs: [2], outputs: [3], outputSpecs: [f32(2)] },
      { inputs: [1, 3], outputs: [4], outputSpecs: [f32(2)] },
    ];
    const last = new Map([
      [1, 3],
      [2, 2],
      [3, 3],
    ]);
    const plan = planMemory(steps, (s) => last.get(s), (s) => s === 4);
    const buffers = [1, 2, 3].map((s) => plan.bufferOf.get(s));
    expect(new Set(buffers).size).toBe(3);
  });
});
