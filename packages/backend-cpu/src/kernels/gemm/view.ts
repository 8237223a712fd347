/**
 * A matrix inside a flat typed array, read through strides: element (i, j) is
 * `data[offset + i * rowStride + j * colStride]`. A transposed operand is the same data
 * with the two strides swapped, which is how the GEMMs avoid copying transposes.
 *
 * ```ts
 * const a: MatrixView<Float32Array> = { data, offset: 0, rowStride: k, colStride: 1 }; // row-major m×k
 * const aT: MatrixView<Float32Array> = { data, offset: 0, rowStride: 1, colStride: k }; // its transpose
 * ```
 */
export interface MatrixView<T> {
  readonly data: T;
  readonly offset: number;
  readonly rowStride: number;
  readonly colStride: number;
}

/** A row-major output matrix: element (i, j) is `data[offset + i * rowStride + j]`. */
export interface OutputView<T> {
  readonly data: T;
  readonly offset: number;
  readonly rowStride: number;
}
