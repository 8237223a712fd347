/** Conformance cases for the random ops (filled in with the ops). */
export function randomSuite(): void {}
