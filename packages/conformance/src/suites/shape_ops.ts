/** Conformance cases for the shape ops ops (filled in with the ops). */
export function shapeOpsSuite(): void {}
