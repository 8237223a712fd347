import type { KernelRegistration } from "@kiln/core";
import type { CpuBackend } from "../cpu_backend.js";
import { elementwiseKernels } from "./elementwise/index.js";
import { reductionKernels } from "./reduction.js";
import { nnKernels } from "./nn.js";
import { shapeOpsKernels } from "./shape_ops.js";
import { joiningKernels } from "./joining.js";
import { slicingKernels } from "./slicing.js";
import { gatherKernels } from "./gather.js";
import { setRowKernels } from "./set_row.js";
import { matmulKernels } from "./matmul.js";
import { convolutionKernels } from "./convolution.js";
import { convolutionGradKernels } from "./convolution_grads.js";
import { poolArgmaxKernels } from "./pool_argmax.js";
import { creationKernels } from "./creation.js";
import { randomKernels } from "./random.js";

/** Every cpu kernel, one array per op family. */
export const cpuKernels: KernelRegistration<any, CpuBackend>[] = [
  ...elementwiseKernels,
  ...reductionKernels,
  ...nnKernels,
  ...shapeOpsKernels,
  ...joiningKernels,
  ...slicingKernels,
  ...gatherKernels,
  ...setRowKernels,
  ...matmulKernels,
  ...convolutionKernels,
  ...convolutionGradKernels,
  ...poolArgmaxKernels,
  ...creationKernels,
  ...randomKernels,
];
