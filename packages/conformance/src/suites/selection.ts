/** Conformance cases for the selection ops (filled in with the ops). */
export function selectionSuite(): void {}
