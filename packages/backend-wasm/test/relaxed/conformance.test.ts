import { cpu } from "@kiln/backend-cpu";
import { runConformance } from "@kiln/conformance";
import { describe, it } from "vitest";
import { detectFeatures, wasm } from "../../src/index.js";

// The whole conformance suite on both relaxed-SIMD binaries (fused multiply-add in the
// polynomials), one thread and two. This file runs in vitest's "relaxed" project, which
// gives Node 20 the V8 flag it needs (vitest.config.ts).
const { relaxedSimd, threads } = detectFeatures();
if (relaxedSimd) {
  runConformance({ plugin: () => wasm({ variant: "relaxed-simd", threads: 1 }), oracle: cpu });
  if (threads) runConformance({ plugin: () => wasm({ variant: "relaxed-simd-threads", threads: 2 }), oracle: cpu });
} else {
  describe("relaxed SIMD binaries", () => {
    it.skip("this engine does not run relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd, which vitest.config.ts passes)", () => {});
  });
}
