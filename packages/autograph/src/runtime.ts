/**
 * The runtime operators converted code calls, imported by converted modules as
 * `import * as ag__ from "@kiln/autograph/runtime"` (and passed as `ag__` to functions
 * converted at run time). This module does not load the parser, so bundles of code
 * converted at build time stay small.
 *
 * ```ts
 * import * as ag__ from "@kiln/autograph/runtime";
 * ag__.ifStmt(ag__.gt(x, 0), () => { y = x; }, () => { y = ag__.neg(x); }, () => [y], (v) => { [y] = v; }, ["y"], "f.js:2:3");
 * ```
 */
export { ifStmt, switchValue } from "./operators/conditionals.js";
export { whileStmt, doWhileStmt, forStmt, forInKeys } from "./operators/loops.js";
export { loopOptions, type ResolvedLoopOptions } from "./operators/loop_options.js";
export { setMember, checkedCall } from "./operators/members.js";
export type { GetState, SetState } from "./operators/state.js";
export { and, or, not, ifExp } from "./operators/logical.js";
export { assignMember, updateMember, postfix } from "./operators/assignments.js";
export { add, sub, mul, div, mod, pow, neg, inc, dec, target, lt, le, gt, ge, eq, ne, looseEq, looseNe } from "./operators/arithmetic.js";
export {
  call,
  callMethod,
  converted,
  register,
  doNotConvert,
  isConverted,
  install,
  functionForTrace,
  DO_NOT_CONVERT,
} from "./operators/calls.js";
