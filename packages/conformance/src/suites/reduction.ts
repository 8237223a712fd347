/** Conformance cases for the reduction ops (filled in with the ops). */
export function reductionSuite(): void {}
