import { cpu } from "@kiln/backend-cpu";
import { runConformance } from "@kiln/conformance";
import { describe, it } from "vitest";
import { webgpu } from "../src/index.js";
import { gpu } from "./gpu.js";

// The conformance suite on the webgpu backend (SwiftShader in CI) against the cpu oracle:
// every op, the traced suite, fusion, control flow programs, with leak checks (SPEC L1, L4).
// Loops run speculatively as on a hardware GPU (the software default reads every iteration).
if (gpu.available) runConformance({ plugin: () => webgpu({ loopLookahead: 32 }), oracle: cpu });
else describe.skip(`conformance: ${gpu.reason}`, () => it("skipped", () => {}));
