/** Conformance cases for the creation ops (filled in with the ops). */
export function creationSuite(): void {}
