import * as tf from "@kiln/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useCpu } from "./setup.js";

useCpu();

const live = () => tf.memory().numTensors;
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

let before: tf.MemoryInfo;
beforeEach(() => {
  before = tf.memory();
});
afterEach(() => {
  // Every test cleans up after itself; a leak here is a bug in the test or in tidy.
  const after = tf.memory();
  expect({ numTensors: after.numTensors, numBytes: after.numBytes }).toEqual({ numTensors: before.numTensors, numBytes: before.numBytes });
});

describe("tidy", () => {
  it("disposes intermediates and keeps the returned tensor", () => {
    let intermediate!: tf.Tensor;
    const y = tf.tidy(() => {
      intermediate = tf.ones([2, 2]);
      return tf.add(intermediate, 1);
    });
    expect(intermediate.isDisposed).toBe(true);
    expect(y.isDisposed).toBe(false);
    expect(y.arraySync()).toEqual([[2, 2], [2, 2]]);
    expect(live()).toBe(before.numTensors + 1);
    y.dispose();
  });

  it("keeps tensors returned inside arrays, plain objects and Maps", () => {
    const result = tf.tidy(() => {
      tf.zeros([3]);
      return { a: tf.ones([1]), list: [tf.scalar(2), { deep: tf.scalar(3) }], map: new Map([["m", tf.scalar(4)]]), n: 5 };
    });
    expect(live()).toBe(before.numTensors + 4);
    expect(+result.a.arraySync()).toBe(1);
    expect(+result.list[0]!).toBe(2);
    expect(+(result.list[1] as { deep: tf.Tensor }).deep).toBe(3);
    expect(+result.map.get("m")!).toBe(4);
    expect(result.n).toBe(5);
    tf.dispose(result);
    expect([result.a, result.list[0] as tf.Tensor, result.map.get("m")!].every((t) => t.isDisposed)).toBe(true);
  });

  it("returns non-tensor values unchanged and frees everything", () => {
    expect(tf.tidy(() => tf.ones([4]).dataSync().length)).toBe(4);
    expect(tf.tidy(() => undefined)).toBeUndefined();
    expect(live()).toBe(before.numTensors);
  });

  it("nests: an inner result moves to the outer scope, which frees it unless returned", () => {
    let inner!: tf.Tensor;
    let innerScratch!: tf.Tensor;
    const outer = tf.tidy(() => {
      inner = tf.tidy(() => {
        innerScratch = tf.ones([2]);
        return tf.add(innerScratch, 1);
      });
      expect(innerScratch.isDisposed).toBe(true);
      expect(inner.isDisposed).toBe(false);
      return tf.add(inner, 1);
    });
    expect(inner.isDisposed).toBe(true);
    expect(outer.arraySync()).toEqual([3, 3]);
    outer.dispose();
  });

  it("an inner tidy returning its result through the outer one keeps it", () => {
    const y = tf.tidy(() => tf.tidy(() => tf.tidy(() => tf.fill([2], 9))));
    expect(y.arraySync()).toEqual([9, 9]);
    y.dispose();
  });

  it("never disposes tensors created outside it, even when returned", () => {
    const x = tf.ones([2]);
    const same = tf.tidy(() => {
      tf.add(x, 1);
      return x;
    });
    expect(same).toBe(x);
    expect(x.isDisposed).toBe(false);
    // And an outer tensor is not adopted by the enclosing scope either.
    tf.tidy(() => tf.tidy(() => x));
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it("frees everything and rethrows when the function throws, leaving scopes usable", () => {
    let created!: tf.Tensor;
    expect(() =>
      tf.tidy(() => {
        created = tf.ones([8]);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(created.isDisposed).toBe(true);
    expect(live()).toBe(before.numTensors);
    // An op error inside nested tidies unwinds both scopes.
    expect(() => tf.tidy(() => tf.tidy(() => tf.add(tf.ones([2]), tf.ones([3]))))).toThrow(tf.ShapeError);
    // The scope stack is intact: a tensor created now belongs to no scope and survives.
    const after = tf.ones([1]);
    tf.tidy(() => {
      tf.zeros([1]);
    });
    expect(after.isDisposed).toBe(false);
    after.dispose();
  });

  it("a tensor disposed by hand inside tidy is not disposed again and does not break the count", () => {
    const y = tf.tidy(() => {
      const a = tf.ones([2]);
      a.dispose();
      return tf.zeros([2]);
    });
    expect(live()).toBe(before.numTensors + 1);
    y.dispose();
  });
});

describe("async tidy", () => {
  it("keeps the scope open across await and keeps the resolved result", async () => {
    let early!: tf.Tensor;
    let late!: tf.Tensor;
    const y = await tf.tidy(async () => {
      early = tf.ones([2]);
      await tick();
      late = tf.add(early, 1);
      await tick();
      return { out: tf.add(late, 1) };
    });
    expect(early.isDisposed).toBe(true);
    expect(late.isDisposed).toBe(true);
    expect(y.out.arraySync()).toEqual([3, 3]);
    y.out.dispose();
  });

  it("frees the scope and rejects when the async function throws", async () => {
    let created!: tf.Tensor;
    await expect(
      tf.tidy(async () => {
        created = tf.ones([3]);
        await tick();
        throw new Error("async boom");
      }),
    ).rejects.toThrow("async boom");
    expect(created.isDisposed).toBe(true);
    expect(live()).toBe(before.numTensors);
  });
});

describe("keep", () => {
  it("protects a tensor from the enclosing tidy scopes", () => {
    let kept!: tf.Tensor;
    let dropped!: tf.Tensor;
    tf.tidy(() => {
      tf.tidy(() => {
        kept = tf.keep(tf.ones([2]));
        dropped = tf.ones([2]);
      });
    });
    expect(kept.isDisposed).toBe(false);
    expect(dropped.isDisposed).toBe(true);
    expect(kept.arraySync()).toEqual([1, 1]);
    kept.dispose();
  });

  it("returns its argument and survives a tidy that returns nothing", () => {
    let kept!: tf.Tensor;
    const result = tf.tidy(() => {
      const x = tf.scalar(1);
      kept = tf.keep(x);
      expect(kept).toBe(x);
      return undefined;
    });
    expect(result).toBeUndefined();
    expect(kept.isDisposed).toBe(false);
    expect(live()).toBe(before.numTensors + 1);
    kept.dispose();
  });

  it("a kept tensor can still be disposed by hand", () => {
    const k = tf.tidy(() => tf.keep(tf.ones([2])));
    k.dispose();
    expect(k.isDisposed).toBe(true);
  });
});

describe("dispose", () => {
  it("disposes tensors found in arrays and objects, and ignores other values", () => {
    const a = tf.ones([1]);
    const b = tf.ones([2]);
    const c = tf.ones([3]);
    tf.dispose([a, { b, nested: [c, 3, "x", null] }]);
    expect([a, b, c].every((t) => t.isDisposed)).toBe(true);
    tf.dispose(undefined);
    tf.dispose(42);
  });

  it("disposing twice (by hand, then by tidy or dispose) counts once", () => {
    const x = tf.ones([4]);
    x.dispose();
    x.dispose();
    tf.dispose([x, x]);
    expect(live()).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });
});

describe("memory()", () => {
  it("counts tensors, bytes and buffers overall and per backend", () => {
    const f = tf.zeros([2, 3]); // 6 float32 = 24 bytes
    const i = tf.zeros([5], "int32"); // 20 bytes
    const b = tf.zeros([3], "bool"); // 3 bytes, one per element
    const m = tf.memory();
    expect(m.numTensors).toBe(before.numTensors + 3);
    expect(m.numBytes).toBe(before.numBytes + 24 + 20 + 3);
    expect(m.numDataBuffers).toBe(before.numDataBuffers + 3);
    expect(m.backends.cpu!.numBytes).toBe((before.backends.cpu?.numBytes ?? 0) + 47);
    expect(m.backends.cpu!.numBuffers).toBe((before.backends.cpu?.numBuffers ?? 0) + 3);
    tf.dispose([f, i, b]);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });

  it("empty tensors are counted with zero bytes", () => {
    const e = tf.zeros([0, 4]);
    expect(tf.memory().numTensors).toBe(before.numTensors + 1);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    e.dispose();
  });
});
