/** Conformance cases for the joining ops (filled in with the ops). */
export function joiningSuite(): void {}
