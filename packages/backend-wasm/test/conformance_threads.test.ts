import { cpu } from "@kiln/backend-cpu";
import { runConformance } from "@kiln/conformance";
import { detectFeatures, wasm } from "../src/index.js";

// The whole conformance suite on the threaded binary with two threads, where the engine has them.
if (detectFeatures().threads) runConformance({ plugin: () => wasm({ variant: "simd-threads", threads: 2 }), oracle: cpu });
