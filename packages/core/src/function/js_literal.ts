import type { JsToken } from "./js_tokens.js";

/** A JS primitive that can be a parameter's default (and a cache-key literal). */
export type Primitive = number | string | boolean | bigint | null | undefined;

const SIMPLE_ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

/** The code point of a `\u` escape at `text[i]` (just after the backslash), and its length. */
function unicodeEscape(text: string, i: number): [string, number] {
  if (text[i + 1] === "{") {
    const end = text.indexOf("}", i);
    return [String.fromCodePoint(Number.parseInt(text.slice(i + 2, end), 16)), end - i + 1];
  }
  return [String.fromCharCode(Number.parseInt(text.slice(i + 1, i + 5), 16)), 5];
}

/** The value of a string literal's source text, quotes included (escapes as sloppy-mode JS reads them). */
export function stringValue(text: string): string {
  let out = "";
  for (let i = 1; i < text.length - 1; i++) {
    const c = text[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = text[++i]!;
    if (e === "u") {
      const [char, length] = unicodeEscape(text, i);
      out += char;
      i += length - 1;
    } else if (e === "x") {
      out += String.fromCharCode(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (/[0-7]/.test(e)) {
      // `\0` alone is NUL; longer runs are legacy octal escapes (at most 0o377).
      const digits = /^[0-7]{1,3}/.exec(text.slice(i))![0];
      const octal = Number.parseInt(digits, 8) > 0o377 ? digits.slice(0, 2) : digits;
      out += String.fromCharCode(Number.parseInt(octal, 8));
      i += octal.length - 1;
    } else if (e === "\r") {
      if (text[i + 1] === "\n") i++; // a line continuation adds nothing
    } else if (e !== "\n" && e !== "\u2028" && e !== "\u2029") {
      out += SIMPLE_ESCAPES[e] ?? e;
    }
  }
  return out;
}

/** An identifier's name, with `\u` escapes decoded (`\u0078` is `x`). */
export function identifierName(text: string): string {
  return text.replace(/\\u(\{[\da-fA-F]+\}|[\da-fA-F]{4})/g, (_, hex: string) =>
    String.fromCodePoint(Number.parseInt(hex.replace(/[{}]/g, ""), 16)),
  );
}

/** The value of a number or bigint literal's source text. */
export function numberValue(text: string): number | bigint {
  const digits = text.replaceAll("_", "");
  if (digits.endsWith("n")) return BigInt(digits.slice(0, -1));
  if (/^0\d+$/.test(digits)) return /[89]/.test(digits) ? Number(digits.slice(1)) : Number.parseInt(digits, 8); // legacy octal
  return Number(digits);
}

/**
 * The value of an expression when it is a literal: a number (optionally negated), a
 * string, a bigint, `true`, `false`, `null` or `undefined`, in parentheses or not.
 * Anything else (templates, regexes, `+1`, names, calls) is not a literal.
 *
 * ```ts
 * literalValue([...jsTokens("-1.5")]); // { value: -1.5 }
 * literalValue([...jsTokens("[]")]);   // undefined
 * ```
 */
export function literalValue(tokens: readonly JsToken[]): { value: Primitive } | undefined {
  const expression = unparenthesized(tokens);
  const [first, ...rest] = expression;
  if (first === undefined) return undefined;
  if (first.text === "-" && first.kind === "punct") {
    const operand = unparenthesized(rest);
    if (operand.length !== 1 || operand[0]!.kind !== "number") return undefined;
    const value = numberValue(operand[0]!.text);
    return typeof value === "number" ? { value: -value } : undefined;
  }
  if (rest.length > 0) return undefined;
  if (first.kind === "number") return { value: numberValue(first.text) };
  if (first.kind === "string") return { value: stringValue(first.text) };
  if (first.kind === "name" && Object.hasOwn(WORDS, first.text)) return { value: WORDS[first.text] };
  return undefined;
}

const WORDS: Record<string, Primitive> = { true: true, false: false, null: null, undefined: undefined };

/** `tokens` without the parentheses around the whole of them (`((1))` is `1`). */
function unparenthesized(tokens: readonly JsToken[]): readonly JsToken[] {
  while (tokens.length >= 3 && tokens[0]!.text === "(" && tokens.at(-1)!.text === ")" && closes(tokens)) tokens = tokens.slice(1, -1);
  return tokens;
}

/** Whether the first token's parenthesis is closed by the last token (not `(a)(b)`). */
function closes(tokens: readonly JsToken[]): boolean {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const text = tokens[i]!.text;
    if (text === "(") depth++;
    else if (text === ")" && --depth === 0) return i === tokens.length - 1;
  }
  return false;
}
