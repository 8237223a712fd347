import { runConformance } from "@kiln/conformance";
import { cpu } from "../../src/index.js";

// The "csp" project runs this file in Node with --disallow-code-generation-from-strings, where
// `new Function` throws an EvalError as it does in a page whose Content-Security-Policy lacks
// 'unsafe-eval'. cpu() detects that once and uses its prebuilt kernels (environment.test.ts checks
// it did): the whole conformance suite must pass unchanged in that mode.
runConformance({ plugin: cpu });
