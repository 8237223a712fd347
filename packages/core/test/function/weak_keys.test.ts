import * as tf from "@kiln/core";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it, vi } from "vitest";
import { useCpu } from "../setup.js";

useCpu();

function collector(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === "function") return existing;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

const gc = collector();

describe("C4 and E1", () => {
  it("C4: an object used as an argument is held weakly: the cache does not keep it alive", async () => {
    const f = tf.function((config: object, x: tf.Tensor) => {
      void config;
      return x.add(1);
    });
    let collected = false;
    const registry = new FinalizationRegistry(() => (collected = true));
    (() => {
      const config = new Map([["k", 1]]);
      registry.register(config, "config");
      tf.dispose(f(config, tf.scalar(1)));
    })();
    for (let i = 0; i < 100 && !collected; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(collected).toBe(true);
    // A new object never matches the dead entry: it traces again.
    tf.dispose(f(new Map(), tf.scalar(1)));
    expect(f.tracingCount).toBeGreaterThanOrEqual(1);
  });

  it("E1: the retracing warning is printed at most twice over a function's life", () => {
    const warn = vi.fn();
    const runtime = tf.getRuntime();
    const saved = runtime.warn;
    runtime.warn = warn;
    try {
      const f = tf.function((n: number) => tf.scalar(n), { reduceRetracing: false });
      for (let i = 0; i < 60; i++) tf.dispose(f(i));
      expect(warn).toHaveBeenCalledTimes(2);
      expect(warn.mock.calls[0]![0]).toMatch(/likely causes/i);
    } finally {
      runtime.warn = saved;
    }
  });

  it("E1: a tf.function re-created in a loop is caught too (the warning tracks the JS function)", () => {
    const warn = vi.fn();
    const runtime = tf.getRuntime();
    const saved = runtime.warn;
    runtime.warn = warn;
    try {
      const body = (x: tf.Tensor) => x.add(1);
      for (let i = 0; i < 6; i++) tf.dispose(tf.function(body)(tf.scalar(i)));
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toMatch(/creating a tf.function again and again/);
    } finally {
      runtime.warn = saved;
    }
  });
});
