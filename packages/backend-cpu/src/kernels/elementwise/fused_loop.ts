import type { ConcreteShape, DType, FusedCluster } from "@kiln/core";
import { broadcastLayout } from "./broadcast.js";
import { type FusedOpSource, renderFusedOps } from "./fused_ops.js";
import { loadJs, storeJs } from "./js_dialect.js";
import { elementwiseHelpers } from "./math.js";

/** Elements per block of a split loop: a block's intermediates stay in L1 (4 KiB per float32 value). */
const BLOCK = 1024;
/** Inner runs shorter than this are never split: one loop per segment would cost more than it saves. */
const MIN_SPLIT_RUN = 64;

const SCRATCH: Readonly<Record<DType, string>> = { float32: "Float32Array", int32: "Int32Array", bool: "Uint8Array" };

/**
 * Cuts the ops into segments that each get their own loop over a block: every heavy op (an
 * inlined exp, log, tanh or erf) alone, and the light ops between them together. A loop body
 * that chains cheap ops into a heavy one (or on from it) is one long dependency chain per
 * element: the CPU's out-of-order window holds only a couple of iterations, so the loop
 * runs at the chain's latency; short loops overlap many elements. Several heavy ops in one
 * loop are worse still: TurboFan does not peel so large a body, and an unpeeled loop
 * rematerializes every constant and re-checks every array on each iteration. CPU time on 1M
 * floats: the traced 10-op chain (add, mul, relu, neg, exp, sub, abs, sqrt, sigmoid, tanh)
 * took 31 ms as one loop, 19.2 ms with one heavy op per loop and 16 ms with each alone;
 * `exp(x)` followed by four light ops, 7.7 ms as one loop and 5.7 ms as two.
 *
 * ```ts
 * splitSegments(ops); // [[0, 1, 2, 3], [4], [5, 6, 7], [8], [9]] for add, mul, relu, neg, exp, sub, abs, sqrt, sigmoid, tanh
 * ```
 */
export function splitSegments(ops: readonly FusedOpSource[]): number[][] {
  const segments: number[][] = [];
  let light: number[] = [];
  ops.forEach((op, j) => {
    if (!op.heavy) {
      light.push(j);
      return;
    }
    if (light.length > 0) segments.push(light);
    segments.push([j]);
    light = [];
  });
  if (light.length > 0) segments.push(light);
  return segments.length > 1 ? segments : [[...ops.keys()]];
}

/** What the inner loops need to know: the ops, the outputs, and each input's stride along the inner dim. */
interface InnerLoop {
  readonly ops: readonly FusedOpSource[];
  readonly outputs: readonly number[];
  /** Input k's offset where the current run starts (`a<k>_<d>` of the enclosing loop, or 0). */
  readonly base: (k: number) => string;
  readonly strides: readonly number[];
  readonly run: number;
}

/** The inputs a list of ops reads, in order. */
function inputsOf(loop: InnerLoop, opIds: readonly number[]): number[] {
  return [...new Set(opIds.flatMap((j) => loop.ops[j]!.inputs))].sort((a, b) => a - b);
}

/** Loads of repeated inputs (stride 0 along the run), hoisted out of the inner loop. */
function hoistedLoads(loop: InnerLoop, inputs: readonly number[]): string {
  return inputs
    .filter((k) => loop.strides[k] === 0)
    .map((k) => `const v${k} = x${k}[${loop.base(k)}];`)
    .join(" ");
}

/**
 * One inner loop over `count` elements starting `start` elements into the run: the moving
 * inputs advance by their stride (no index arithmetic per element beyond one add each),
 * `body` computes element `j`.
 */
function innerFor(loop: InnerLoop, inputs: readonly number[], start: string, count: string, body: string): string {
  const moving = inputs.filter((k) => loop.strides[k] !== 0);
  const offset = (k: number) =>
    start === "0" ? loop.base(k) : `${loop.base(k)} + ${start}${loop.strides[k] === 1 ? "" : ` * ${loop.strides[k]}`}`;
  const init = moving.map((k) => `, c${k} = ${offset(k)}`).join("");
  const step = moving.map((k) => `, c${k} += ${loop.strides[k]}`).join("");
  const loads = moving.map((k) => `const v${k} = x${k}[c${k}];`).join(" ");
  return `for (let j = 0${init}; j < ${count}; j++${step}) {\n${loads}\n${body}\n}`;
}

/** Stores of the cluster's outputs for element `j` of the run, written at `i + offset + j`. */
function outputStores(loop: InnerLoop, offset: string): string {
  return loop.outputs.map((j, q) => `o${q}[${offset}j] = ${storeJs(`t${j}`, loop.ops[j]!.dtype)};`).join(" ");
}

/** The whole run as one loop: every op inline, outputs stored directly. */
function singleLoop(loop: InnerLoop): string {
  const all = [...loop.ops.keys()];
  const inputs = inputsOf(loop, all);
  const body = `${all.flatMap((j) => loop.ops[j]!.lines).join("\n")}\n${outputStores(loop, "i + ")}`;
  return `${hoistedLoads(loop, inputs)}\n${innerFor(loop, inputs, "0", String(loop.run), body)}\ni += ${loop.run};`;
}

/**
 * The run in blocks of BLOCK elements, one loop per segment; values a later segment (or the
 * final stores) needs cross in scratch arrays `s<m>`, exactly (they are already float32,
 * int32 or bool). Returns the loops and the scratch declarations: the arrays `S<m>`, made once
 * with the kernel, and their local names `s<m>` in the kernel function (read from the
 * enclosing scope, every access would reload the array and re-check it; 1 ms of the 10-op
 * chain's 19 on 1M floats).
 */
function splitLoops(loop: InnerLoop, segments: readonly (readonly number[])[]): { source: string; scratch: string; locals: string } {
  const segmentOf = new Map<number, number>();
  segments.forEach((ids, s) => ids.forEach((j) => segmentOf.set(j, s)));
  const last = segments.length - 1;
  // Op m crosses when a later segment reads it, or it is an output computed before the last segment.
  const crossing = new Set<number>();
  for (const [s, ids] of segments.entries()) {
    for (const m of ids.flatMap((j) => loop.ops[j]!.ops)) if (segmentOf.get(m)! < s) crossing.add(m);
  }
  for (const m of loop.outputs) if (segmentOf.get(m)! < last) crossing.add(m);
  const scratch = [...crossing].map((m) => `const S${m} = new ${SCRATCH[loop.ops[m]!.dtype]}(${BLOCK});`).join("\n");
  const locals = [...crossing].map((m) => `const s${m} = S${m};`).join(" ");
  const loops = segments.map((ids, s) => {
    const reads = new Set(ids.flatMap((j) => loop.ops[j]!.ops).filter((m) => segmentOf.get(m)! < s));
    if (s === last) for (const m of loop.outputs) if (segmentOf.get(m)! < last) reads.add(m);
    const loads = [...reads].map((m) => `const t${m} = ${loadJs(`s${m}[j]`, loop.ops[m]!.dtype)};`);
    const saves = ids.filter((m) => crossing.has(m)).map((m) => `s${m}[j] = ${storeJs(`t${m}`, loop.ops[m]!.dtype)};`);
    const stores = s === last ? outputStores(loop, "i + b + ") : "";
    const body = [...loads, ...ids.flatMap((j) => loop.ops[j]!.lines), ...saves, stores].join("\n");
    return innerFor(loop, inputsOf(loop, ids), "b", "n", body);
  });
  const hoisted = hoistedLoads(loop, inputsOf(loop, [...loop.ops.keys()]));
  const blocks = [
    `for (let b = 0; b < ${loop.run}; b += ${BLOCK}) {`,
    `const n = ${loop.run} - b < ${BLOCK} ? ${loop.run} - b : ${BLOCK};`,
    ...loops,
    "}",
  ].join("\n");
  return { source: `${hoisted}\n${blocks}\ni += ${loop.run};`, scratch, locals };
}

/**
 * The JS source of a cluster's loops, specialized to its exact broadcast layout (a plan's
 * shapes are static): nested loops over the collapsed outer dims with each input's offset
 * advanced by its stride, then the inner dim, where a repeated input (a bias element, a
 * scalar) is loaded once per run and the others advance by one add each. With a heavy op
 * among other ops the inner run is split into loops (`splitSegments`), each loading the
 * input elements it reads; otherwise each element is loaded once. The
 * function takes `(outs, ins)` arrays, the head's outputs after the cluster's inputs.
 * Returns undefined when an op has no scalar semantics for its dtypes.
 *
 * ```ts
 * new Function("helpers", fusedLoopSource(cluster, shapes)!)(elementwiseHelpers)(outs, ins);
 * ```
 */
export function fusedLoopSource(cluster: FusedCluster, shapes: readonly ConcreteShape[]): string | undefined {
  const ops = renderFusedOps(cluster);
  if (ops === undefined) return undefined;
  const layout = broadcastLayout(cluster.shape, shapes);
  const rank = layout.shape.length;
  const run = layout.shape[rank - 1]!;
  const loop: InnerLoop = {
    ops,
    outputs: cluster.outputs,
    base: (k) => (rank === 1 ? "0" : `a${k}_${rank - 2}`),
    strides: layout.strides.map((s) => s[rank - 1]!),
    run,
  };
  const segments = run >= MIN_SPLIT_RUN ? splitSegments(ops) : [[...ops.keys()]];
  const { source, scratch, locals } =
    segments.length > 1 ? splitLoops(loop, segments) : { source: singleLoop(loop), scratch: "", locals: "" };
  let body = source;
  for (let d = rank - 2; d >= 0; d--) {
    const init = shapes.map((_, k) => `, a${k}_${d} = ${d === 0 ? "0" : `a${k}_${d - 1}`}`).join("");
    const step = shapes.map((_, k) => `, a${k}_${d} += ${layout.strides[k]![d]}`).join("");
    body = `for (let d${d} = 0${init}; d${d} < ${layout.shape[d]}; d${d}++${step}) {\n${body}\n}`;
  }
  return `"use strict";
const { ${Object.keys(elementwiseHelpers).join(", ")} } = helpers;
${scratch}
return function fused(outs, ins) {
  ${shapes.map((_, k) => `const x${k} = ins[${k}];`).join(" ")}
  ${cluster.outputs.map((_, q) => `const o${q} = outs[${q}];`).join(" ")}
  ${locals}
  let i = 0;
  ${body}
};`;
}
