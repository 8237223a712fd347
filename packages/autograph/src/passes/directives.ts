/**
 * Directives (TF AutoGraph's directives converter): `autograph.setLoopOptions({...})` as
 * the first statement of a loop body gives options to that loop. The statement is removed;
 * its argument is evaluated once, just before the loop starts, and passed to the loop
 * operator by the control-flow pass:
 *
 *   while (i < n) {                                                   ag__.whileStmt(() => i < n, () => {
 *     autograph.setLoopOptions({ shapeInvariants: [[x, [null, 2]]] });    x = tf.concat([x, row]); i++;
 *     x = tf.concat([x, row]); i++;                             ->    }, ..., "f.js:1:1", [], [],
 *   }                                                                   ag__.loopOptions({ shapeInvariants: [[x, [null, 2]]] }, ["x"], "f.js:2:3"));
 *
 * The source text of each `[target, shape]` pair's target (`x`, `cfg.scale`, `pair[0]`) is
 * passed along, so the runtime can match it to a loop variable by name. A call anywhere
 * else is a ConversionError: it would silently do nothing.
 */
import { type NodePath, generate, t } from "../converter/babel.js";
import type { ConversionContext } from "../converter/context.js";
import { calleeName } from "../converter/function_options.js";
import { ConversionError } from "../errors.js";
import { isLoop, skipLeftAsWritten } from "./statements.js";

/** Annotation: the `ag__.loopOptions(...)` expression of a loop that had a setLoopOptions directive. */
const LOOP_OPTIONS = new WeakMap<t.Node, t.Expression>();

/** The options expression of a loop, if its body started with `setLoopOptions(...)`. */
export function loopOptionsOf(loop: t.Node): t.Expression | undefined {
  return LOOP_OPTIONS.get(loop);
}

/** Moves the options of a loop to the loop that replaces it (a `for (;;)` rewritten as `while`). */
export function moveLoopOptions(from: t.Node, to: t.Node): void {
  const options = LOOP_OPTIONS.get(from);
  if (options !== undefined) LOOP_OPTIONS.set(to, options);
}

/** `x`, `this.total`, `cfg.scale`, `pair[0]`: a target a loop variable's name can match. */
function isNamePath(node: t.Node): boolean {
  if (t.isIdentifier(node) || t.isThisExpression(node)) return true;
  if (!t.isMemberExpression(node)) return false;
  const key = node.computed ? t.isNumericLiteral(node.property) || t.isStringLiteral(node.property) : t.isIdentifier(node.property);
  return key && isNamePath(node.object);
}

/** Per `[target, shape]` pair of a `shapeInvariants` array literal: the target's text, or null. */
function invariantTargets(arg: t.Node | undefined): t.ArrayExpression {
  const property = t.isObjectExpression(arg)
    ? arg.properties.find(
        (p): p is t.ObjectProperty =>
          t.isObjectProperty(p) &&
          !p.computed &&
          (t.isIdentifier(p.key, { name: "shapeInvariants" }) || t.isStringLiteral(p.key, { value: "shapeInvariants" })),
      )
    : undefined;
  if (property === undefined || !t.isArrayExpression(property.value)) return t.arrayExpression([]);
  return t.arrayExpression(
    property.value.elements.map((pair) => {
      const target = t.isArrayExpression(pair) ? pair.elements[0] : undefined;
      return target && isNamePath(target) ? t.stringLiteral(generate(target, { compact: true }).code) : t.nullLiteral();
    }),
  );
}

/** The loop whose body starts with `statement`, if it does. */
function loopStartedBy(statement: NodePath): t.Node | undefined {
  const parent = statement.parentPath;
  if (parent === null) return undefined;
  if (isLoop(parent.node) && parent.node.body === statement.node) return parent.node;
  const loop = parent.parentPath?.node;
  if (parent.isBlockStatement() && parent.node.body[0] === statement.node && isLoop(loop) && loop.body === parent.node) return loop;
  return undefined;
}

/** Turns setLoopOptions directives of a function (and of functions nested in it) into loop annotations. */
export function convertDirectives(fn: NodePath<t.Function>, ctx: ConversionContext): void {
  fn.traverse({
    ...skipLeftAsWritten,
    CallExpression(path) {
      if (calleeName(path.node.callee) !== "setLoopOptions") return;
      const statement = path.parentPath;
      const loop = statement.isExpressionStatement() ? loopStartedBy(statement) : undefined;
      if (loop === undefined) {
        throw new ConversionError(
          `AutoGraph cannot convert '${ctx.fnName}': setLoopOptions(...) at ${ctx.location(path.node)} must be the first statement of a loop body ` +
            "(it gives options to the loop that directly contains it; anywhere else it would do nothing)",
        );
      }
      const [arg] = path.node.arguments;
      const options = t.callExpression(t.memberExpression(t.identifier("ag__"), t.identifier("loopOptions")), [
        t.isExpression(arg) ? arg : t.identifier("undefined"),
        invariantTargets(arg),
        ctx.locationLiteral(path.node),
      ]);
      LOOP_OPTIONS.set(loop, options);
      statement.remove();
    },
  });
}
