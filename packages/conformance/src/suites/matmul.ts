/** Conformance cases for the matmul ops (filled in with the ops). */
export function matmulSuite(): void {}
