/** Conformance cases for the slicing ops (filled in with the ops). */
export function slicingSuite(): void {}
