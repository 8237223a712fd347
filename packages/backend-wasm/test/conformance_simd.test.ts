import { cpu } from "@kiln/backend-cpu";
import { runConformance } from "@kiln/conformance";
import { wasm } from "../src/index.js";

// The whole conformance suite on the single-threaded SIMD128 binary.
runConformance({ plugin: () => wasm({ variant: "simd", threads: 1 }), oracle: cpu });
