/**
 * The op conformance suite. A backend's test file calls `runConformance` with its plugin;
 * every op is checked against hand-computed values, against tfjs-core where tfjs has the
 * op, and for leaks.
 *
 * ```ts
 * import { runConformance } from "@kiln/conformance";
 * runConformance({ plugin: cpu });
 * ```
 */
import { type ConformanceOptions, useBackend } from "./context.js";
import { unarySuite } from "./suites/unary.js";
import { binarySuite } from "./suites/binary.js";
import { selectionSuite } from "./suites/selection.js";
import { reductionSuite } from "./suites/reduction.js";
import { reductionExtremesSuite } from "./suites/reduction_extremes.js";
import { nnSuite } from "./suites/nn.js";
import { shapeOpsSuite } from "./suites/shape_ops.js";
import { joiningSuite } from "./suites/joining.js";
import { slicingSuite } from "./suites/slicing.js";
import { gatherSuite } from "./suites/gather.js";
import { matmulSuite } from "./suites/matmul.js";
import { convolutionSuite } from "./suites/convolution.js";
import { convolutionGradsSuite } from "./suites/convolution_grads.js";
import { creationSuite } from "./suites/creation.js";
import { randomSuite } from "./suites/random.js";
import { statelessRandomSuite } from "./suites/stateless_random.js";
import { tracedSuite } from "./suites/traced.js";
import { programsSuite } from "./suites/programs.js";
import { fusionSuite } from "./suites/fusion.js";
import { coverageSuite } from "./suites/coverage.js";
import { fuzzOpsSuite } from "./suites/fuzz_ops.js";
import { nonfiniteContractionsSuite } from "./suites/nonfinite_contractions.js";

export * from "./context.js";
export { asyncOnly, type AsyncOnlyOptions, type ReadDelay } from "./async_only.js";
export { programsSuite } from "./suites/programs.js";
export { opsNeedingKernels } from "./suites/coverage.js";
export { OP_FUZZERS, type FuzzCase, type FuzzResult, type OpFuzzer } from "./suites/fuzz_ops_cases.js";
export { caseSeed, Rng, type FuzzInput } from "./suites/fuzz_ops_random.js";

export function runConformance(options: ConformanceOptions): void {
  useBackend(options);
  coverageSuite();
  unarySuite();
  binarySuite();
  selectionSuite();
  reductionSuite();
  reductionExtremesSuite();
  nnSuite();
  shapeOpsSuite();
  joiningSuite();
  slicingSuite();
  gatherSuite();
  matmulSuite();
  tracedSuite();
  programsSuite();
  fusionSuite();
  convolutionSuite();
  convolutionGradsSuite();
  nonfiniteContractionsSuite();
  creationSuite();
  randomSuite();
  statelessRandomSuite();
  fuzzOpsSuite();
}
