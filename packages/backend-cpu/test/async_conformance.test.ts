import { asyncOnly, programsSuite, useBackend } from "@kiln/conformance";
import { cpu } from "../src/index.js";

// The cpu kernels behind a backend without synchronous reads (SPEC L): every program must
// run unchanged there, reading results with await.
useBackend({ plugin: () => asyncOnly(cpu()), oracle: cpu });
programsSuite();
