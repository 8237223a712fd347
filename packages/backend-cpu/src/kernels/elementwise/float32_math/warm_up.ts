/**
 * Inputs that reach every branch of the float32 math functions: special values, both signs,
 * tiny and huge magnitudes, and each side of every range split.
 */
const EDGE_INPUTS = [
  Number.NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  1e-45,
  -1e-45,
  1e-20,
  0.1,
  -0.1,
  0.3,
  -0.3,
  0.7,
  -0.7,
  1.5,
  -1.5,
  4,
  -4,
  30,
  -30,
  200,
  -200,
  1e30,
  -1e30,
  1e300,
  -1e300,
];

/**
 * Runs each function on inputs that reach all of its branches, once at load. V8 compiles an
 * inlined function's branches from the type feedback its own runs collected: a branch that
 * never ran (the NaN or overflow case, or the negative side when a loop has only seen
 * positive values) becomes a deoptimization exit, and an exit inside a loop stops TurboFan
 * from peeling that loop, which is how it hoists constants and checks out of it (`exp` on 1M
 * floats: 3.4 ms peeled, 5.3 ms not). Warmed up, every branch is compiled in line. Only
 * speed depends on this; results never do.
 *
 * ```ts
 * warmUp([expf, expm1f, tanhf]);
 * ```
 */
export function warmUp(fns: readonly ((x: number) => number)[]): void {
  // V8 allocates a function's feedback vector after its first few calls: repeat the inputs.
  for (let round = 0; round < 12; round++) {
    for (const fn of fns) for (const x of EDGE_INPUTS) fn(x);
  }
}
