import { type DataArray, type DType, type FusedCluster, type FusedOperand, KilnError, type ScalarExpr, type ScalarKernel, scalarKernelOf } from "@kiln/core";
import { type BlockLoop, blockDialect } from "./block_dialect.js";
import { type BroadcastLayout, broadcastLayout } from "./broadcast.js";
import type { ElementwiseLoop } from "./compile.js";
import { exactInFloat32 } from "./exact_float32.js";

/** Elements evaluated per pass: every intermediate of a block stays in L1 (2 KiB each). */
const BLOCK = 256;

/** One scalar function over a block: `out = loop(a, b, c)`. */
interface Step {
  readonly loop: BlockLoop;
  readonly out: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly c: Float64Array;
}

/** Expressions ready to run over blocks: input buffers to fill, the steps, one result buffer per output. */
interface BlockProgram {
  readonly inputs: readonly Float64Array[];
  readonly steps: readonly Step[];
  readonly results: readonly Float64Array[];
}

const UNUSED = new Float64Array(0);

/**
 * Appends the steps that compute `kernel` with its args read from `args`: call nodes in an
 * order where each runs after its operands, one buffer per node (a node used twice, the
 * same object, is computed once), literals as filled buffers. Returns the result's buffer.
 */
function addKernelSteps(kernel: ScalarKernel, args: readonly Float64Array[], steps: Step[]): Float64Array {
  const buffers = new Map<ScalarExpr, Float64Array>();
  const visit = (node: ScalarExpr): Float64Array => {
    if (node.kind === "arg") return args[node.index]!;
    const known = buffers.get(node);
    if (known !== undefined) return known;
    let out: Float64Array;
    if (node.kind === "literal") {
      out = new Float64Array(BLOCK).fill(node.dtype === "bool" ? (node.value !== 0 ? 1 : 0) : node.value);
    } else {
      // The operand dtype picks the loop, as it picks a template: for select, the values'.
      const operand = node.args[node.fn === "select" ? 1 : 0]!.dtype;
      const loop = blockDialect[node.fn][operand];
      if (loop === undefined) throw new KilnError(`cpu backend: no block loop for the scalar function ${node.fn} on ${operand}`);
      const [a, b = UNUSED, c = UNUSED] = node.args.map(visit);
      out = new Float64Array(BLOCK);
      steps.push({ loop, out, a: a!, b, c });
    }
    buffers.set(node, out);
    return out;
  };
  return visit(kernel.body);
}

/** One op's expression over its own input buffers. */
function blockProgram(kernel: ScalarKernel): BlockProgram {
  const inputs = kernel.args.map(() => new Float64Array(BLOCK));
  const steps: Step[] = [];
  return { inputs, steps, results: [addKernelSteps(kernel, inputs, steps)] };
}

/** Runs the steps over the first `n` elements of the input buffers. */
function runBlock(program: BlockProgram, n: number): void {
  for (const step of program.steps) step.loop(step.out, n, step.a, step.b, step.c);
}

/**
 * Compiles an op's scalar semantics into typed-array loops without generating code, for
 * environments that forbid `new Function` (a Content-Security-Policy without 'unsafe-eval').
 * The expression runs one scalar function at a time over blocks of 256 elements: inputs are
 * copied into double buffers (bools as 0/1), each function is one of `blockDialect`'s
 * monomorphic loops, the result is stored into the output array (which rounds float32
 * once, as the generated loops do). Results are identical to `compileElementwise`'s; the
 * speed cost is in the backend README. Same signature as `compileElementwise`.
 *
 * ```ts
 * const addF32 = compileElementwiseBlocks(scalarKernelOf(tf.AddV2, ["float32", "float32"], "float32", {})!);
 * addF32(out, [x, y], null);
 * ```
 */
export function compileElementwiseBlocks(kernel: ScalarKernel): ElementwiseLoop {
  const program = blockProgram(kernel);
  return (out, inputs, layout) => {
    if (layout === null) sameLayout(program, [out], inputs);
    else broadcastBlocks(program, [out], inputs, layout);
  };
}

/** Each cluster operand's dtype; the head's outputs come after the cluster's inputs. */
function operandDtype(cluster: FusedCluster, operand: FusedOperand): DType {
  if ("input" in operand) return cluster.inputs[operand.input]!.dtype;
  if ("op" in operand) return cluster.ops[operand.op]!.dtype;
  return cluster.head!.outputs[operand.head]!.dtype;
}

/**
 * A fused cluster's ops as one pass over blocks, without generating code (what
 * `fused_loop.ts` generates, for a backend that may not): every op's steps run over the
 * same block, reading earlier ops' buffers, and a float32 result that may not be a float32
 * already is rounded (as the generated loop's Math.fround), so results are bit-identical to
 * running the ops one by one. Inputs (the head's outputs after the cluster's) broadcast
 * through `shapes`' layout. Same signature as a generated fused loop: `(outs, ins)`.
 * Undefined when an op has no scalar semantics for its dtypes.
 *
 * ```ts
 * compileFusedBlocks(cluster, shapes)!(outs, ins); // one pass over blocks of 256
 * ```
 */
export function compileFusedBlocks(
  cluster: FusedCluster,
  shapes: readonly (readonly number[])[],
): ((outs: DataArray[], ins: DataArray[]) => void) | undefined {
  const headInput = cluster.inputs.length;
  const inputs = shapes.map(() => new Float64Array(BLOCK));
  const steps: Step[] = [];
  const values: Float64Array[] = [];
  for (const fused of cluster.ops) {
    const kernel = scalarKernelOf(
      fused.op,
      fused.operands.map((o) => operandDtype(cluster, o)),
      fused.dtype,
      fused.attrs,
    );
    if (kernel === undefined) return undefined;
    const args = fused.operands.map((o) => ("op" in o ? values[o.op]! : inputs["input" in o ? o.input : headInput + o.head]!));
    let value = addKernelSteps(kernel, args, steps);
    if (fused.dtype === "float32" && !exactInFloat32(kernel.body)) {
      const rounded = new Float64Array(BLOCK);
      steps.push({ loop: blockDialect.roundF32.float32!, out: rounded, a: value, b: UNUSED, c: UNUSED });
      value = rounded;
    }
    values.push(value);
  }
  const program: BlockProgram = { inputs, steps, results: cluster.outputs.map((j) => values[j]!) };
  const layout = broadcastLayout(cluster.shape, shapes);
  return (outs, ins) => broadcastBlocks(program, outs, ins, layout);
}

/** Below this many elements, copies are plain loops: a `subarray` view costs more than the copy. */
const SMALL = 32;

/** Every input holds the outputs' elements in order: blocks are plain copies. */
function sameLayout(program: BlockProgram, outs: readonly DataArray[], inputs: readonly DataArray[]): void {
  const size = outs[0]!.length;
  if (size <= SMALL) {
    for (let k = 0; k < inputs.length; k++) {
      const from = inputs[k]!;
      const to = program.inputs[k]!;
      for (let i = 0; i < size; i++) to[i] = from[i]!;
    }
    runBlock(program, size);
    for (let q = 0; q < outs.length; q++) {
      const out = outs[q]!;
      const result = program.results[q]!;
      for (let i = 0; i < size; i++) out[i] = result[i]!;
    }
    return;
  }
  for (let start = 0; start < size; start += BLOCK) {
    const n = Math.min(BLOCK, size - start);
    for (let k = 0; k < inputs.length; k++) program.inputs[k]!.set(inputs[k]!.subarray(start, start + n));
    runBlock(program, n);
    for (let q = 0; q < outs.length; q++) outs[q]!.set(program.results[q]!.subarray(0, n), start);
  }
}

/**
 * Broadcasting: walks the collapsed outer dims with an odometer (as the generated loops do)
 * and gathers each row of the inner dim into the block, an input that repeats along it
 * (stride 0) as one value filled in; a block runs whenever it is full.
 */
function broadcastBlocks(program: BlockProgram, outs: readonly DataArray[], inputs: readonly DataArray[], layout: BroadcastLayout): void {
  const { shape, strides } = layout;
  const rank = shape.length;
  const inner = shape[rank - 1]!;
  const arity = inputs.length;
  const index = new Array<number>(rank).fill(0);
  const offsets = new Array<number>(arity).fill(0);
  let filled = 0;
  let blockStart = 0;
  const flush = () => {
    runBlock(program, filled);
    for (let q = 0; q < outs.length; q++) outs[q]!.set(program.results[q]!.subarray(0, filled), blockStart);
    blockStart += filled;
    filled = 0;
  };
  const size = outs[0]!.length;
  for (let row = 0; row < size; row += inner) {
    for (let j = 0; j < inner; ) {
      const take = Math.min(inner - j, BLOCK - filled);
      for (let k = 0; k < arity; k++) {
        const x = inputs[k]!;
        const base = offsets[k]!;
        if (strides[k]![rank - 1] === 0) program.inputs[k]!.fill(x[base]!, filled, filled + take);
        else program.inputs[k]!.set(x.subarray(base + j, base + j + take), filled);
      }
      filled += take;
      j += take;
      if (filled === BLOCK) flush();
    }
    for (let d = rank - 2; d >= 0; d--) {
      for (let k = 0; k < arity; k++) offsets[k]! += strides[k]![d]!;
      if (++index[d]! < shape[d]!) break;
      index[d] = 0;
      for (let k = 0; k < arity; k++) offsets[k]! -= strides[k]![d]! * shape[d]!;
    }
  }
  if (filled > 0) flush();
}
