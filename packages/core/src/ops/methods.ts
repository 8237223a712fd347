import { Tensor } from "../tensor/tensor.js";
import { binaryMethods } from "./binary.js";
import { convolutionMethods } from "./convolution.js";
import { creationMethods } from "./creation.js";
import { gatherMethods } from "./gather.js";
import { identityMethods } from "./identity.js";
import { joiningMethods } from "./joining.js";
import { matmulMethods } from "./matmul.js";
import { nnMethods } from "./nn.js";
import { randomMethods } from "./random.js";
import { reductionMethods } from "./reduction.js";
import { selectionMethods } from "./selection.js";
import { shapeMethods } from "./shape_ops.js";
import { slicingMethods } from "./slicing.js";
import { unaryMethods } from "./unary.js";

/**
 * Installs the chainable op methods (`a.add(b)`, `x.sum()`, ...) on Tensor.prototype.
 * Called once by the package entry point; each op family exports its own method table.
 */
export function installTensorMethods(): void {
  for (const table of [binaryMethods, convolutionMethods, creationMethods, gatherMethods, identityMethods, joiningMethods, matmulMethods, nnMethods, randomMethods, reductionMethods, selectionMethods, shapeMethods, slicingMethods, unaryMethods]) {
    for (const [name, fn] of Object.entries(table)) {
      Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
    }
  }
}
