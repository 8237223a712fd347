/**
 * Typed errors of the ONNX exporter. Each names the Kiln op (its type and node name), what
 * was received and what would be valid, so a failed export says what to change.
 *
 * ```ts
 * try { toOnnx(cf); }
 * catch (e) { if (e instanceof UnsupportedOpError) console.log(e.opType, e.message); }
 * ```
 */
import { KilnError } from "@kiln/core";

/** Where in a Kiln graph an export problem sits: the op's type and node name, and the graph. */
export interface OpLocation {
  readonly opType: string;
  readonly opName: string;
  readonly graph: string;
}

/** Any problem exporting a Kiln function to ONNX. */
export class OnnxExportError extends KilnError {}

/** An export problem at one op: `opType` and `opName` say which. */
export class OpExportError extends OnnxExportError {
  readonly opType: string;
  readonly opName: string;

  constructor(at: OpLocation, message: string) {
    super(`toOnnx: op '${at.opName}' (${at.opType}) in graph '${at.graph}': ${message}`);
    this.opType = at.opType;
    this.opName = at.opName;
  }
}

/** An op with no ONNX mapping (a custom op declared with `tf.defineOp`, or a gap listed in the README). */
export class UnsupportedOpError extends OpExportError {}

/**
 * A stateful op ONNX cannot express: printing (`PrintV2`) and variable writes
 * (`AssignVariableOp`, `AssignAddVariableOp`, `AssignSubVariableOp`). An ONNX model is a pure
 * function of its inputs; export the inference function, or drop prints with `{ prints: "drop" }`.
 */
export class StatefulOpError extends OpExportError {}

/**
 * A value whose rank the graph does not know (a shape given as a tensor of unknown length),
 * where the ONNX mapping needs it.
 */
export class UnknownRankError extends OpExportError {}

/** A model that breaks ONNX's structural rules, found by `checkModel`; `problems` lists each one. */
export class OnnxCheckError extends KilnError {
  constructor(readonly problems: readonly string[]) {
    super(
      `checkModel: the model breaks ${problems.length} ONNX rule(s):\n${problems
        .slice(0, 20)
        .map((p) => `  - ${p}`)
        .join("\n")}${problems.length > 20 ? `\n  ... and ${problems.length - 20} more` : ""}`,
    );
  }
}
