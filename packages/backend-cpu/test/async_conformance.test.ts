import { asyncOnly, runConformance } from "@kiln/conformance";
import { cpu } from "../src/index.js";

// The async-only test backend (SPEC L): the cpu kernels behind a backend without synchronous
// reads. The whole conformance suite must run unchanged there, reading results with await.
runConformance({ plugin: () => asyncOnly(cpu()), oracle: cpu });
