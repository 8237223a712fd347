/**
 * Twins of declared functions: a converted copy registered next to the original, which
 * stays as written for plain JS callers (`ag__.call`, `tf.function` and `toCode` find the
 * twin through the registration):
 *
 *   function helper(x) { if (x > 0) ... }   ->   ag__.register(helper, ag__.converted(function helper(x) { ...to convert... }));
 *                                                function helper(x) { if (x > 0) ... }
 *   const relu = (x) => ...;                ->   const relu = (x) => ...;
 *                                                ag__.register(relu, ag__.converted((x) => ...to convert...));
 */
import { type NodePath, t } from "./babel.js";
import { type Declaration, pathOf } from "./module_functions.js";

/** An inserted registration, whose function is still to be converted. */
export interface InsertedTwin {
  readonly name: string;
  readonly fn: t.FunctionExpression | t.ArrowFunctionExpression;
  /** Takes the registration out again (when conversion fails). */
  remove(): void;
}

const ag = (name: string, ...args: t.Expression[]) => t.callExpression(t.memberExpression(t.identifier("ag__"), t.identifier(name)), args);

/**
 * Inserts `ag__.register(name, ag__.converted(copy))` for a declaration: at the top of its
 * block for a (hoisted) function declaration, right after it for a const.
 */
export function insertTwin(file: t.File, original: Declaration): InsertedTwin | undefined {
  const declarationPath = pathOf(file, original);
  if (declarationPath === undefined) return undefined;
  const name = t.isFunctionDeclaration(original) ? original.id!.name : (original.id as t.Identifier).name;
  const clone = t.cloneNode(t.isFunctionDeclaration(original) ? original : (original.init as t.Function), true, false);
  const fn = t.isFunctionDeclaration(clone)
    ? t.inherits(t.functionExpression(clone.id, clone.params, clone.body, clone.generator, clone.async), clone)
    : (clone as t.FunctionExpression | t.ArrowFunctionExpression);
  const statement = t.expressionStatement(ag("register", t.identifier(name), ag("converted", fn)));
  let inserted: NodePath[];
  if (declarationPath.isFunctionDeclaration()) {
    const holder = declarationPath.parentPath!.isExportNamedDeclaration() ? declarationPath.parentPath! : declarationPath;
    const list = holder.parentPath!;
    const body = (list.isProgram() || list.isBlockStatement() ? list : undefined) as NodePath<t.Program | t.BlockStatement> | undefined;
    if (body === undefined) return undefined;
    const firstCode = body.node.body.findIndex((s) => !t.isImportDeclaration(s));
    inserted =
      firstCode <= 0 ? body.unshiftContainer("body", statement) : (body.get(`body.${firstCode}`) as NodePath).insertBefore(statement);
  } else {
    const declaration = declarationPath.parentPath!;
    const holder = declaration.parentPath?.isExportNamedDeclaration() ? declaration.parentPath : declaration;
    inserted = holder.insertAfter(statement);
  }
  return {
    name,
    fn,
    remove: () => {
      for (const p of inserted) p.remove();
    },
  };
}
