/**
 * `break`: a converted loop body becomes a function, which a `break` cannot leave, so the
 * break sets a flag that the loop condition checks, and the statements after it run only
 * while the flag is unset (TF AutoGraph's break_statements):
 *
 *   while (x < 10) {            let break__1 = false;
 *     if (x > y) break;    ->   while (!break__1 && x < 10) {
 *     x++;                        if (x > y) { break__1 = true; }
 *   }                             if (!break__1) { x++; }
 *                               }
 *
 * A for...of loop, which has no condition, gets the flag as an extra test (see
 * `extraTestOf`). A `break` that leaves a `switch` from inside an `if` gets a flag too, guarding the
 * rest of the switch, because the `if` becomes a function.
 */
import { t } from "../converter/babel.js";
import type { ConversionContext } from "../converter/context.js";
import {
  addLoopCondition,
  flagDeclaration,
  forEachStatementList,
  guardAfterSetters,
  jumpsTo,
  loopOf,
  replaceJump,
  setFlag,
} from "./statements.js";

/**
 * Breaks that leave a switch from inside an `if` (or a block a guard may wrap) become a
 * flag guarding the rest of the switch; a break directly in a case stays.
 */
function convertSwitchBreaks(node: t.SwitchStatement, ctx: ConversionContext): string | undefined {
  const jumps = jumpsTo(node, undefined, "BreakStatement").filter((j) => !j.direct);
  if (jumps.length === 0) return undefined;
  const flag = ctx.freshName("break");
  const setters = new WeakSet<t.Node>();
  for (const jump of jumps) replaceJump(jump, [setFlag(flag)], setters);
  guardAfterSetters(node, flag, setters, { enterLoops: false, updates: "separate" });
  return flag;
}

/** Converts the breaks of every loop (and of switches, where needed) in `root`, nested functions included. */
export function convertBreaks(root: t.Node, ctx: ConversionContext): void {
  forEachStatementList(
    root,
    (list) => {
      for (let i = 0; i < list.length; i++) {
        const stmt = list[i]!;
        if (t.isSwitchStatement(stmt)) {
          const flag = convertSwitchBreaks(stmt, ctx);
          if (flag !== undefined) list.splice(i++, 0, flagDeclaration(flag));
          continue;
        }
        const found = loopOf(stmt);
        if (found === undefined) continue;
        const jumps = jumpsTo(found.loop, found.label, "BreakStatement");
        if (jumps.length === 0) continue;
        const flag = ctx.freshName("break");
        const setters = new WeakSet<t.Node>();
        for (const jump of jumps) replaceJump(jump, [setFlag(flag)], setters);
        guardAfterSetters(found.loop.body as t.BlockStatement, flag, setters, { enterLoops: false, updates: "separate" });
        addLoopCondition(found.loop, t.unaryExpression("!", t.identifier(flag)));
        list.splice(i++, 0, flagDeclaration(flag));
      }
    },
    true,
  );
}
