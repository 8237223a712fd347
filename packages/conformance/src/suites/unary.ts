/** Conformance cases for the unary ops (filled in with the ops). */
export function unarySuite(): void {}
