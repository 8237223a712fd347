/**
 * What the source says about converting a function, read without running it: the
 * `autograph` option of a `tf.function` call or decorator, `doNotConvert(...)`, and the
 * runtime calls converted code already contains (`ag__.converted(...)`, `ag__.register(...)`).
 *
 *   tf.function((x) => ..., { autograph: false })   // "off": left as written
 *   tf.function((x) => ..., options)                // "unknown": decided when it runs
 *   tf.function((x) => ...)                         // "on"
 */
import { t } from "./babel.js";

/** `on`, `off`, or `unknown` when only the running program knows (a variable, a spread). */
export type AutographSetting = "on" | "off" | "unknown";

function keyName(key: t.Node, computed: boolean): string | undefined {
  if (!computed && t.isIdentifier(key)) return key.name;
  if (t.isStringLiteral(key)) return key.value;
  return undefined;
}

/**
 * The `autograph` setting of a `tf.function` options argument (or decorator options).
 *
 * ```ts
 * autographSetting(parseExpression("{ autograph: false }")); // "off"
 * ```
 */
export function autographSetting(options: t.Node | null | undefined): AutographSetting {
  if (options === null || options === undefined) return "on";
  if (!t.isObjectExpression(options)) return "unknown";
  let setting: AutographSetting = "on";
  for (const property of options.properties) {
    if (t.isSpreadElement(property)) setting = "unknown";
    else if (keyName(property.key, property.computed) === "autograph") {
      if (!t.isObjectProperty(property)) setting = "unknown";
      else setting = t.isBooleanLiteral(property.value) ? (property.value.value ? "on" : "off") : "unknown";
    } else if (property.computed) setting = "unknown";
  }
  return setting;
}

/** The name a callee ends in: `f` for `f(...)`, `b` for `a.b(...)` and `a["b"](...)`. */
export function calleeName(callee: t.Node): string | undefined {
  if (t.isIdentifier(callee)) return callee.name;
  if (t.isMemberExpression(callee) || t.isOptionalMemberExpression(callee)) return keyName(callee.property, callee.computed);
  return undefined;
}

/** `ag__.<name>(...)`: a runtime call that converted code contains. */
export function isRuntimeCall(node: t.Node | null | undefined, name: string): boolean {
  return (
    t.isCallExpression(node) &&
    t.isMemberExpression(node.callee) &&
    t.isIdentifier(node.callee.object, { name: "ag__" }) &&
    calleeName(node.callee) === name
  );
}

/**
 * A call that looks like `tf.function(...)` when what `tf` is cannot be known (run-time
 * conversion sees one function's text): `<anything>.function(...)` or `tfFunction(...)`.
 */
export function looksLikeTfFunction(callee: t.Node): boolean {
  const name = calleeName(callee);
  return (t.isMemberExpression(callee) && name === "function") || name === "tfFunction";
}

/** True for function literals (the forms `tf.function` accepts written in place). */
export function isFunctionLiteral(node: t.Node | null | undefined): node is t.FunctionExpression | t.ArrowFunctionExpression {
  return t.isFunctionExpression(node) || t.isArrowFunctionExpression(node);
}

/** The literal function argument of `doNotConvert(fn)` / `autograph.doNotConvert(fn)`, if any. */
export function doNotConvertArgument(node: t.CallExpression): t.Function | undefined {
  const [arg] = node.arguments;
  return calleeName(node.callee) === "doNotConvert" && isFunctionLiteral(arg) ? arg : undefined;
}
