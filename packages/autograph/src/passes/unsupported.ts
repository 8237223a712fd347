/**
 * Rejects what AutoGraph cannot convert, before any pass runs, so users get one clear
 * "cannot convert" error naming the construct and its location instead of wrong code:
 *
 *   function* gen() {}              // generator functions
 *   async function f() {}           // async functions (graphs run synchronously)
 *   with (obj) {}                   // with statements
 *   eval("x + 1")                   // direct eval
 *   outer: for (...) { for (...) { break outer; } }   // labelled jump across a converted loop
 *   block: { if (c) break block; }  // labelled jump out of a block across a converted if
 *   let ag__ = 1;                   // a variable named like the runtime operators' binding
 *
 * Generator and async functions nested inside the converted function are not errors: they
 * are left as written (their bodies cannot become graph code, but calling them is fine).
 *
 * Emits nothing; throws ConversionError.
 */
import { type NodePath, t } from "../converter/babel.js";
import type { ConversionContext } from "../converter/context.js";
import { ConversionError } from "../errors.js";
import { LEFT_AS_WRITTEN, isLoop } from "./statements.js";

function fail(ctx: ConversionContext, node: t.Node, construct: string, advice: string): never {
  throw new ConversionError(`AutoGraph cannot convert '${ctx.fnName}': ${construct} at ${ctx.location(node)} ${advice}`);
}

/** Checks a labelled `break`/`continue` only leaves constructs that stay plain JS. */
function checkLabelledJump(path: NodePath<t.BreakStatement | t.ContinueStatement>, ctx: ConversionContext): void {
  const label = path.node.label!.name;
  let crossedLoop: t.Node | undefined;
  let crossedIf: t.Node | undefined;
  for (let current: NodePath | null = path.parentPath; current !== null && !current.isFunction(); current = current.parentPath) {
    if (current.isLabeledStatement() && current.node.label.name === label) {
      const targetIsLoop = isLoop(current.node.body);
      const crossed = targetIsLoop ? crossedLoop : (crossedLoop ?? crossedIf);
      if (crossed === undefined) return;
      const kind = path.isBreakStatement() ? "break" : "continue";
      fail(
        ctx,
        path.node,
        `'${kind} ${label}' jumps out of ${isLoop(crossed) ? "an inner loop" : "an if statement"} to an outer ${targetIsLoop ? "loop" : "labelled block"}`,
        "(converted loops and branches become functions, which a labelled jump cannot leave). Use a flag variable and an unlabelled break, or move the inner loop into a function that returns",
      );
    }
    const isTarget =
      current.parentPath?.isLabeledStatement() === true && (current.parentPath.node as t.LabeledStatement).label.name === label;
    if (isLoop(current.node) && !isTarget) crossedLoop ??= current.node;
    if (current.isIfStatement()) crossedIf ??= current.node;
  }
}

/** Throws ConversionError if the function (or a function nested in it) uses an unsupported construct. */
export function checkSupported(fnPath: NodePath<t.Function>, ctx: ConversionContext): void {
  const checkFunction = (node: t.Function) => {
    if (node.generator)
      fail(
        ctx,
        node,
        "a generator function (function*)",
        "is not supported: a traced function runs once and cannot yield. Return a value (or an array of values) instead",
      );
    if (node.async)
      fail(
        ctx,
        node,
        "an async function",
        "is not supported: graphs run synchronously. Make the function synchronous (await inputs before calling it)",
      );
  };
  checkFunction(fnPath.node);
  fnPath.traverse({
    Function(p) {
      if (LEFT_AS_WRITTEN.has(p.node)) p.skip();
      else if (p.node.generator || p.node.async) {
        LEFT_AS_WRITTEN.add(p.node);
        p.skip();
      }
    },
    WithStatement(p) {
      fail(
        ctx,
        p.node,
        "a 'with' statement",
        "is not supported: its names cannot be resolved statically. Use the object's properties explicitly",
      );
    },
    CallExpression(p) {
      if (t.isIdentifier(p.node.callee, { name: "eval" }) && p.scope.getBinding("eval") === undefined) {
        fail(ctx, p.node, "a call to eval", "is not supported: code in strings cannot be converted. Write the code directly");
      }
    },
    BreakStatement(p) {
      if (p.node.label) checkLabelledJump(p, ctx);
    },
    ContinueStatement(p) {
      if (p.node.label) checkLabelledJump(p, ctx);
    },
    Identifier(p) {
      // Converted code calls the runtime as ag__.ifStmt(...): a local ag__ would shadow it.
      if (p.node.name === "ag__" && p.isBindingIdentifier()) {
        fail(
          ctx,
          p.node,
          "a variable named 'ag__'",
          "is not supported: converted code uses that name for AutoGraph's runtime operators. Rename the variable",
        );
      }
    },
    ForOfStatement(p) {
      if (p.node.await) fail(ctx, p.node, "a 'for await' loop", "is not supported: graphs run synchronously");
    },
  });
}
