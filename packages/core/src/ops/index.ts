/**
 * The one list of core op families. Each module declares its ops (`defineOp`), their
 * public functions and their chainable methods (`<family>Methods`). Everything else
 * derives from this list: the public exports (index.ts), the tensor methods
 * (`installTensorMethods`), the op table saved graphs resolve against (`coreOpDefs`,
 * `tf.knownOps()`) and the backends' kernel coverage tests. A new family is added here.
 */
export * from "./binary.js";
export * from "./convolution.js";
export * from "./creation.js";
export * from "./einsum.js";
export * from "./gather.js";
export * from "./set_row.js";
export * from "./identity.js";
export * from "./joining.js";
export * from "./matmul.js";
export * from "./nn.js";
export * from "./random.js";
export * from "./ranked_tensors.js";
export * from "./reduction.js";
export * from "./selection.js";
export * from "./shape_ops.js";
export * from "./slicing.js";
export * from "./stateless_random.js";
export * from "./stop_gradient.js";
export * from "./tfjs_methods.js";
export * from "./unary.js";
export * from "./shape_of.js";
