/**
 * `continue`: like break, a flag replaces the jump. It is declared at the top of the loop
 * body, so each iteration starts with it unset, and guards the rest of the body (TF
 * AutoGraph's continue_statements). The update of a desugared `for (;;)` stays outside the
 * guard, because `continue` runs it:
 *
 *   while (i < n) {                  while (i < n) {
 *     if (skip(i)) continue;    ->     let continue__1 = false;
 *     total += i;                      if (skip(i)) { continue__1 = true; }
 *     i++;  // the for update          if (!continue__1) { total += i; }
 *   }                                  i++;
 *                                    }
 */
import type { t } from "../converter/babel.js";
import type { ConversionContext } from "../converter/context.js";
import { flagDeclaration, forEachStatementList, guardAfterSetters, jumpsTo, loopOf, replaceJump, setFlag } from "./statements.js";

/** Converts the continues of every loop in `root`, nested functions included. */
export function convertContinues(root: t.Node, ctx: ConversionContext): void {
  forEachStatementList(
    root,
    (list) => {
      for (const stmt of list) {
        const found = loopOf(stmt);
        if (found === undefined) continue;
        const jumps = jumpsTo(found.loop, found.label, "ContinueStatement");
        if (jumps.length === 0) continue;
        const flag = ctx.freshName("continue");
        const setters = new WeakSet<t.Node>();
        for (const jump of jumps) replaceJump(jump, [setFlag(flag)], setters);
        const body = found.loop.body as t.BlockStatement;
        guardAfterSetters(body, flag, setters, { enterLoops: false, updates: "unguarded" });
        body.body.unshift(flagDeclaration(flag));
      }
    },
    true,
  );
}
