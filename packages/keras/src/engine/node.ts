/**
 * A `Node` records one call of a layer on symbolic tensors: which tensors went in, which
 * came out. A layer shared between branches has one node per call; the functional model's
 * graph is the set of nodes reachable from its outputs.
 *
 * ```ts
 * const shared = keras.layers.dense({ units: 2 });
 * shared.apply(a); shared.apply(b); // shared.inboundNodes.length === 2
 * ```
 */
import type { KerasTensor } from "./keras_tensor.js";
import type { Layer } from "./layer.js";

/** One call of `layer` on symbolic inputs. */
export class Node {
  constructor(
    readonly layer: Layer,
    readonly inputs: readonly KerasTensor[],
    readonly outputs: readonly KerasTensor[],
    /** Extra call options recorded for saving (tfjs writes them as the 4th element of each inbound entry). */
    readonly callArgs: Record<string, unknown> = {},
    /** Whether the layer was given a single tensor (not an array) in this call. */
    readonly singleInput = true,
  ) {}

  /** The layers whose outputs feed this node (from their tensors' history). */
  get inboundLayers(): Layer[] {
    return this.inputs.map((t) => t.history!.layer);
  }

  /** Whether the node is an input (its inputs have no producing layer other than the layer itself). */
  get isInput(): boolean {
    return this.inputs.length === 0;
  }
}
