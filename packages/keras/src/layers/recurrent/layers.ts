/**
 * The recurrent layers `SimpleRNN`, `LSTM` and `GRU`: an `RNN` over the matching built-in
 * cell, configured with the cell's and the layer's options together (tfjs-layers' configs
 * hold both, and their weights are `<layer>/kernel`, `<layer>/recurrent_kernel`,
 * `<layer>/bias`).
 *
 * ```ts
 * keras.layers.lstm({ units: 64, returnSequences: true, inputShape: [null, 32] });
 * ```
 */
import type { Activation } from "../../activations.js";
import { classes } from "../../engine/serialization.js";
import type { RecurrentCellArgs } from "./builtin_cell.js";
import { GRUCell, type GRUCellArgs } from "./gru_cell.js";
import { LSTMCell, type LSTMCellArgs } from "./lstm_cell.js";
import { type BaseRNNArgs, RNN } from "./rnn.js";
import { SimpleRNNCell } from "./simple_rnn_cell.js";

/** Options of `simpleRNN`. */
export type SimpleRNNArgs = RecurrentCellArgs & BaseRNNArgs;
/** Options of `lstm`. */
export type LSTMArgs = LSTMCellArgs & BaseRNNArgs;
/** Options of `gru`. */
export type GRUArgs = GRUCellArgs & BaseRNNArgs;

/** The cell's own options (a cell takes no shape or state options). */
function cellArgs<T extends RecurrentCellArgs>(args: T): T {
  const { inputShape: _s, batchInputShape: _b, batchSize: _n, weights: _w, name: _name, ...rest } = args;
  return rest as T;
}

/** A recurrent layer over one built-in cell: its options are readable on the layer too. */
abstract class BuiltinRNN<C extends SimpleRNNCell | LSTMCell | GRUCell> extends RNN {
  declare readonly cell: C;
  get units(): number {
    return this.cell.units;
  }
  get activation(): Activation {
    return this.cell.activation;
  }
  get dropout(): number {
    return this.cell.dropout;
  }
  get recurrentDropout(): number {
    return this.cell.recurrentDropout;
  }
}

/** A fully connected RNN layer. */
export class SimpleRNN extends BuiltinRNN<SimpleRNNCell> {
  static override className = "SimpleRNN";
  constructor(args: SimpleRNNArgs) {
    super({ ...args, cell: new SimpleRNNCell(cellArgs(args)) });
  }
}

/** A long short-term memory layer. */
export class LSTM extends BuiltinRNN<LSTMCell> {
  static override className = "LSTM";
  constructor(args: LSTMArgs) {
    super({ ...args, cell: new LSTMCell(cellArgs(args)) });
  }
}

/** A gated recurrent unit layer. */
export class GRU extends BuiltinRNN<GRUCell> {
  static override className = "GRU";
  constructor(args: GRUArgs) {
    super({ ...args, cell: new GRUCell(cellArgs(args)) });
  }
}

for (const cls of [SimpleRNN, LSTM, GRU]) classes.register(cls as never, cls.className);
