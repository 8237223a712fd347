/** Conformance cases for the convolution ops (filled in with the ops). */
export function convolutionSuite(): void {}
