/**
 * A small JavaScript tokenizer, just enough to read a function's parameter list from its
 * source (`Function.prototype.toString`): it skips whitespace and comments and reads
 * identifiers, numbers, strings, template literals (with their `${...}` parts), regular
 * expression literals and punctuators, so that brackets inside any of them are never
 * mistaken for structure. It does not validate anything: the source is code the engine
 * already parsed.
 *
 * ```ts
 * [...jsTokens("(a = '(', b) => a")].map((t) => t.text); // ["(", "a", "=", "'('", ",", "b", ")", "=>", "a"]
 * ```
 */

/** One token: its kind and its exact source text. */
export interface JsToken {
  readonly kind: "name" | "number" | "string" | "template" | "regex" | "punct";
  readonly text: string;
}

// Longest first, so `...` wins over `.` and `=>` over `=`.
const PUNCTUATORS = [
  ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=",
  "=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "**", "<<", ">>",
];

const NAME_START = /[\p{ID_Start}$_\\]/u;
const NAME_PART = /[\p{ID_Continue}$\\\u200c\u200d]/u;
const NUMBER = /^(?:0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?)n?/;

// After one of these keywords an expression starts, so `/` begins a regular expression.
const EXPRESSION_KEYWORDS = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"]);

/** Whether `/` after `previous` is a division (previous ends an expression) rather than a regex. */
function slashIsDivision(previous: JsToken | undefined): boolean {
  if (previous === undefined) return false;
  switch (previous.kind) {
    case "name":
      return !EXPRESSION_KEYWORDS.has(previous.text);
    case "punct":
      return previous.text === ")" || previous.text === "]" || previous.text === "}";
    default:
      return true;
  }
}

class Scanner {
  pos: number;
  constructor(
    readonly source: string,
    start: number,
  ) {
    this.pos = start;
  }

  /** Skips whitespace and comments; false at the end of the source. */
  skipTrivia(): boolean {
    const s = this.source;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === "/" && s[this.pos + 1] === "/") {
        const end = s.slice(this.pos).search(/[\n\r\u2028\u2029]/);
        this.pos = end < 0 ? s.length : this.pos + end;
      } else if (c === "/" && s[this.pos + 1] === "*") {
        const end = s.indexOf("*/", this.pos + 2);
        this.pos = end < 0 ? s.length : end + 2;
      } else if (/\s/.test(c)) {
        this.pos++;
      } else {
        return true;
      }
    }
    return false;
  }

  next(previous: JsToken | undefined): JsToken | undefined {
    if (!this.skipTrivia()) return undefined;
    const s = this.source;
    const start = this.pos;
    const c = s[start]!;
    let kind: JsToken["kind"];
    if (c === '"' || c === "'") {
      kind = "string";
      this.skipString(c);
    } else if (c === "`") {
      kind = "template";
      this.skipTemplate();
    } else if (c === "/" && !slashIsDivision(previous)) {
      kind = "regex";
      this.skipRegex();
    } else if (/\d/.test(c) || (c === "." && /\d/.test(s[start + 1] ?? ""))) {
      kind = "number";
      this.pos += NUMBER.exec(s.slice(start))![0].length;
    } else if (NAME_START.test(c) || c === "#") {
      kind = "name";
      this.skipName();
    } else {
      kind = "punct";
      this.pos += PUNCTUATORS.find((p) => s.startsWith(p, start))?.length ?? 1;
    }
    return { kind, text: s.slice(start, this.pos) };
  }

  private skipName(): void {
    const s = this.source;
    do {
      // `\u0061` and `\u{61}` are part of an identifier; skip each escape whole.
      if (s[this.pos] === "\\") this.pos = s[this.pos + 2] === "{" ? s.indexOf("}", this.pos) + 1 : this.pos + 6;
      else this.pos++;
    } while (this.pos < s.length && NAME_PART.test(s[this.pos]!));
  }

  private skipString(quote: string): void {
    const s = this.source;
    this.pos++;
    while (this.pos < s.length && s[this.pos] !== quote) this.pos += s[this.pos] === "\\" ? 2 : 1;
    this.pos++;
  }

  /** A template literal, with every `${...}` substitution scanned as tokens. */
  private skipTemplate(): void {
    const s = this.source;
    this.pos++;
    while (this.pos < s.length && s[this.pos] !== "`") {
      if (s[this.pos] === "\\") this.pos += 2;
      else if (s[this.pos] === "$" && s[this.pos + 1] === "{") this.skipSubstitution();
      else this.pos++;
    }
    this.pos++;
  }

  private skipSubstitution(): void {
    this.pos += 2;
    let depth = 0;
    let previous: JsToken | undefined;
    for (let token = this.next(undefined); token !== undefined; token = this.next(previous)) {
      if (token.text === "{") depth++;
      else if (token.text === "}" && depth-- === 0) return;
      previous = token;
    }
  }

  private skipRegex(): void {
    const s = this.source;
    let inClass = false;
    this.pos++;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === "\\") this.pos++;
      else if (c === "[") inClass = true;
      else if (c === "]") inClass = false;
      else if (c === "/" && !inClass) break;
      else if (c === "\n") break;
      this.pos++;
    }
    this.pos++;
    while (this.pos < s.length && NAME_PART.test(s[this.pos]!)) this.pos++; // flags
  }
}

/**
 * The tokens of `source` from `start`, lazily (stop iterating once you have what you need).
 */
export function* jsTokens(source: string, start = 0): Generator<JsToken> {
  const scanner = new Scanner(source, start);
  for (let token = scanner.next(undefined); token !== undefined; token = scanner.next(token)) yield token;
}
