/**
 * @kiln/core: tensors, ops, tracing and the backend contract.
 *
 * ```ts
 * import * as tf from "@kiln/core";
 * import { cpu } from "@kiln/backend-cpu";
 * tf.registerBackend(cpu());
 * tf.add(tf.tensor([1, 2]), 1).print();
 * ```
 */
import { installVariableMethods } from "./function/variable_methods.js";
import { installTensorMethods } from "./ops/methods.js";

installTensorMethods();
installVariableMethods();

export * from "./base/errors.js";
export { CodeGenerationError, codeGenerationAllowed, compileFunction } from "./base/code_generation.js";
export { type DType, type DataArray, DTYPES, tfTypeName, bytesPerElement, allocate } from "./base/dtype.js";
export { type Shape, type ConcreteShape, sizeOf, stridesOf, broadcastShapes, normalizeAxis, normalizeAxes } from "./base/shape.js";
export { type WindowGeometry, type WindowAttrsLike, windowGeometry } from "./base/window_geometry.js";
export { type ReductionPass, reductionPasses, splitAtAxis } from "./base/reduction_passes.js";
export { type ValueInfo, type AttrValue, type Attrs, type KernelFamily, type OpDef, type AnyOpDef, scalarKernelOf } from "./ir/op.js";
export { type ScalarExpr, type ScalarFn, type ScalarKernel, SCALAR_FNS, scalarFnOperandDTypes } from "./ir/scalar.js";
export * as scalarExpr from "./ir/scalar.js";
export { renderScalar, missingTemplates, type ScalarDialect, type ScalarTemplates, type RenderedScalar } from "./ir/scalar_render.js";
export { coreOpDefs } from "./ops/op_list.js";
export { OpTable } from "./ir/op_table.js";
export {
  BACKEND_API_VERSION,
  readsSync,
  type Backend,
  type SyncReadBackend,
  type BackendCapabilities,
  type FusionCapabilities,
  type BackendMemory,
  type BackendPlugin,
  type DataId,
  type FusedCluster,
  type FusedOperand,
  type KernelArgs,
  type KernelFn,
  type KernelRegistration,
  type PlainKernelRegistration,
  type CompiledKernelRegistration,
  type KernelSpecialization,
  type KernelKey,
  type KernelKeyValue,
  type KernelSource,
  type PlanPreparation,
  type TensorData,
} from "./backend/backend.js";
export type { MemoryInfo } from "./tensor/memory_tracker.js";
export { Tensor, SymbolicTensorError, type NestedArray } from "./tensor/tensor.js";
export { type TensorLike, type NestedValues, type TensorConvertible, toTensorSymbol } from "./tensor/convert.js";
export { Runtime, getRuntime } from "./trace/runtime.js";
export type { Trace } from "./trace/trace.js";
export { bind, bind1 } from "./trace/bind.js";
export * from "./api/backends.js";
export * from "./api/memory.js";
export * from "./ops/index.js";
export { Graph, Operation, OpOutput } from "./ir/graph.js";
export { FuncGraph } from "./ir/func_graph.js";
export { PlanSummary, type PlanStepSummary, type PlanStepKind, type PlanRemovals } from "./plan/plan_summary.js";
export { TensorSpec } from "./function/tensor_spec.js";
export { Variable, VariableCreationError, type VariableOptions } from "./function/variable.js";
export { variable } from "./api/variable.js";
export { nextFrame } from "./api/next_frame.js";
export * as util from "./api/util.js";
export { ConcreteFunction, type FunctionDef, type ArgDef } from "./function/concrete_function.js";
export { PolymorphicFunction, type FunctionOptions, type CallableConcreteFunction } from "./function/polymorphic_function.js";
export { tfFunction as function, tfFunction, type TfFunction } from "./function/tf_function.js";
export { print } from "./function/print.js";
export type { TraceReason, ArgumentChange, ArgumentChangeKind } from "./function/trace_reason.js";
export { config, initScope, executingEagerly, nameScope } from "./function/config.js";
export { autograph, AutoGraphUnavailableError, type LoopOptions } from "./api/autograph.js";
export { graphToText } from "./ir/printer.js";
export { graphToDot } from "./ir/dot.js";
export { serializeGraph, deserializeGraph, GraphFormatError, MAX_TENSOR_ELEMENTS, type GraphJSON, type FunctionGraphJSON, type OperationJSON, type ValueInfoJSON, type AttrJSON, type DeserializeOptions } from "./ir/serialize.js";
export { verifyGraph, InvalidGraphError, type OpResolver, type VerifyOptions } from "./ir/verify.js";
export { saveFunction, loadFunction, knownOps, functionFromGraph, type SavedFunction, type SavedConcreteFunction, type SavedWeight, type SavedTypeNode, type SavedOutput, type SavedLiteral, type LoadOptions } from "./function/saved_function.js";
export { LoadedFunction } from "./function/loaded_function.js";
export { DEFAULT_MEMORY_BUDGET, type MemoryBudget } from "./ir/budget.js";
export { GradientTape, type GradientTapeOptions, type GradientsOf } from "./autodiff/gradient_tape.js";
export { grad, grads, valueAndGrad, valueAndGrads, variableGrads } from "./autodiff/functional.js";
export { customGradient, type CustomGradientResult } from "./autodiff/custom_gradient.js";
export type { GradFn, GradArgs, Differentiate, OpExecution } from "./ir/op.js";
export { cond, type CondOptions } from "./function/control_flow/cond.js";
export { whileLoop, type WhileOptions } from "./function/control_flow/while_loop.js";
export { ControlFlowError } from "./function/control_flow/structure_check.js";
export * from "./function/ops.js";
export { planOnlyOps } from "./plan/pool_argmax.js";
export { TensorArray, type TensorArrayOptions } from "./function/control_flow/tensor_array.js";
