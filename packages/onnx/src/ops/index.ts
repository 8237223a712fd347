/**
 * The one table of ONNX mappings: every op family's list, joined. The exporter looks ops up
 * here; the README's op table is generated from it (`onnxOpTable`), and a test checks that
 * every op of `tf.coreOps()` is in it.
 *
 * ```ts
 * onnxMappings().get("AddV2")!.onnx; // "Add"
 * ```
 */
import { binaryMappings } from "./binary.js";
import { controlFlowMappings } from "./control_flow.js";
import { convolutionMappings } from "./convolution.js";
import { convolutionBackpropMappings } from "./convolution_backprop.js";
import { creationMappings } from "./creation.js";
import { gatherMappings } from "./gather.js";
import { joiningMappings } from "./joining.js";
import type { OpMapping } from "./mapping.js";
import { matmulMappings } from "./matmul.js";
import { plumbingMappings } from "./plumbing.js";
import { randomMappings } from "./random.js";
import { reductionMappings } from "./reduction.js";
import { selectionMappings } from "./selection.js";
import { shapeMappings } from "./shape.js";
import { slicingMappings } from "./slicing.js";
import { topKMappings } from "./top_k.js";
import { unaryMappings } from "./unary.js";

export type { NodeContext, OpMapping, SubgraphEmitter } from "./mapping.js";

const FAMILIES: readonly (readonly OpMapping[])[] = [
  plumbingMappings,
  unaryMappings,
  binaryMappings,
  selectionMappings,
  reductionMappings,
  matmulMappings,
  convolutionMappings,
  convolutionBackpropMappings,
  shapeMappings,
  slicingMappings,
  gatherMappings,
  joiningMappings,
  creationMappings,
  randomMappings,
  topKMappings,
  controlFlowMappings,
];

let table: ReadonlyMap<string, OpMapping> | undefined;

/** Every op mapping, by Kiln op type. */
export function onnxMappings(): ReadonlyMap<string, OpMapping> {
  if (table === undefined) {
    const map = new Map<string, OpMapping>();
    for (const family of FAMILIES) for (const m of family) map.set(m.op, m);
    table = map;
  }
  return table;
}

/**
 * The op mapping table as Markdown rows (`| Kiln op | ONNX | notes |`), in family order: what
 * the README lists.
 *
 * ```ts
 * console.log(onnxOpTable());
 * ```
 */
export function onnxOpTable(): string {
  const rows = FAMILIES.flat().map((m) => `| \`${m.op}\` | ${m.onnx} | ${m.notes ?? ""} |`);
  return ["| Kiln op | ONNX (opset 17) | notes |", "| --- | --- | --- |", ...rows].join("\n");
}
