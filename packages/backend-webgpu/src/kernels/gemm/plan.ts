import type { DType } from "@kiln/core";
import { storageType } from "../../wgsl/dialect.js";
import { buildProgram, WORKGROUP } from "../../wgsl/shader.js";
import { type Epilogue, plainStore } from "../epilogue.js";
import { grid1d, input, type KernelPlan, output, type PlannedDispatch, type Ref, temp } from "../kernel.js";
import { LARGE_TILE, SMALL_TILE, type Tile } from "./gemm.js";

/** How a product is split over K: `splits` chunks of `chunk` (a multiple of the tile's bk). */
export interface Split {
  readonly splits: number;
  readonly chunk: number;
}

/**
 * The tile for an `m x n` product: 128 x 128 blocks when the product is big enough to fill
 * a GPU with them and the device has the workgroup memory, else 64 x 64.
 */
export function chooseTile(m: number, n: number, workgroupBytes: number): Tile {
  return m >= 512 && n >= 512 && workgroupBytes >= 16384 ? LARGE_TILE : SMALL_TILE;
}

/**
 * Split-K for products with few output tiles and a long K (a vector times a matrix, a
 * filter gradient summed over every pixel): several workgroups sum slices of K into a
 * partial buffer that one more pass adds up, in slice order, so the result is the same on
 * every run.
 */
export function chooseSplit(m: number, n: number, batch: number, k: number, tile: Tile): Split {
  const tiles = Math.ceil(m / tile.bm) * Math.ceil(n / tile.bn) * batch;
  if (tiles >= 32 || k < 1024) return { splits: 1, chunk: Math.max(k, 1) };
  const wanted = Math.min(32, Math.floor(k / 256), Math.ceil(64 / tiles));
  const chunk = Math.ceil(k / Math.max(wanted, 1) / tile.bk) * tile.bk;
  return { splits: Math.ceil(k / chunk), chunk };
}

/**
 * The dispatches of a (possibly split) GEMM: the tile program, then with split-K the pass
 * that adds the partial sums and stores through the epilogue. `gemm(epilogue)` builds the
 * tile program storing through the given epilogue; `heads` is the number of the op's own
 * inputs (the sum pass binds the partials in their place, so epilogue bindings line up).
 *
 * ```ts
 * gemmPlan({ gemm, params, grid, total, split, heads: 2, dtype: "float32", epilogue });
 * ```
 */
export function gemmPlan(options: {
  readonly gemm: (epilogue: Epilogue) => ReturnType<typeof buildProgram>;
  readonly params: Uint32Array;
  readonly grid: readonly [number, number, number];
  /** Output elements. */
  readonly total: number;
  readonly split: Split;
  readonly heads: number;
  readonly dtype: DType;
  readonly epilogue: Epilogue;
}): KernelPlan {
  const { split, heads, epilogue, total, dtype } = options;
  const ownInputs: Ref[] = Array.from({ length: heads }, (_, k) => input(k));
  const epilogueInputs: Ref[] = epilogue.inputs.map((_, e) => input(heads + e));
  const outputs = epilogue.outputs.map((_, k) => output(k));
  if (split.splits === 1) {
    return {
      dispatches: [
        { program: options.gemm(epilogue), inputs: [...ownInputs, ...epilogueInputs], outputs, params: options.params, grid: options.grid },
      ],
    };
  }
  const type = storageType(dtype);
  const zero = type === "f32" ? "0.0" : "0";
  const sum = buildProgram({
    label: `splitk_sum_${type}`,
    inputs: [type, ...Array.from({ length: heads - 1 }, () => "u32" as const), ...epilogue.inputs],
    outputs: epilogue.outputs,
    params: 2,
    workgroupSize: WORKGROUP,
    declarations: epilogue.declarations,
    body: `let total = param_u(0u);
if (index >= total) { return; }
var acc = ${zero};
for (var s = 0u; s < param_u(1u); s = s + 1u) { acc = acc + in0[s * total + index]; }
store(index, acc);`,
  });
  const partial: PlannedDispatch = {
    program: options.gemm(plainStore(dtype)),
    inputs: ownInputs,
    outputs: [temp(0)],
    params: options.params,
    grid: options.grid,
  };
  // The sum pass binds the partials where the op's first input was, and dummies for the rest.
  const placeholders: Ref[] = Array.from({ length: heads - 1 }, (_, k) => input(k + 1));
  return {
    temps: [{ dtype: dtype as "float32" | "int32", length: total * split.splits }],
    dispatches: [
      partial,
      {
        program: sum,
        inputs: [temp(0), ...placeholders, ...epilogueInputs],
        outputs,
        params: Uint32Array.of(total, split.splits),
        grid: grid1d(total),
      },
    ],
  };
}
