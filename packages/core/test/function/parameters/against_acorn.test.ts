// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are JS source text, template literals included
import { describe, expect, it } from "vitest";
import { parameters } from "../../../src/function/parameters.js";
import { acornParameters } from "./acorn_oracle.js";

// The tokenizer that reads parameter lists must agree with a full parser (acorn) on every
// function: generated parameter lists mixing every parameter form, defaults full of
// brackets, commas, strings, templates, regexes and comments, in every kind of function.

/** mulberry32: a tiny seeded generator, so failures reproduce. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DEFAULTS = [
  "1", "-1", "- 2.5e-3", "0x1F", "1_000", ".5", "10n", "-1n", "+1", "- -1", "(3)", "((-4))", "-(5)",
  '"s"', "'q\\'t'", '"a,b)"', '"\\u{1F600}\\x41"', "true", "false", "null", "undefined", "void 0",
  "`t${p0})`", "`a${`b${'}'}`}`", "/[)(,]\\//g", "/,/", "a => a / 2", "(a, b) => { return a / b; }",
  "function () { return ')'; }", "[1, [2, (3)]]", "{ a: 1, b: { c: ')' } }", "new Map()", "1 / 2 / 3",
  "p0 ? '(' : ')'", "typeof /re/", "Math.max(1, 2)", "(1, 2)", "`${1}` + 2",
];
const COMMENTS = ["", "", "", " /* , ) */ ", " /* ( */", " // ) ,\n "];

function parameterList(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const count = Math.floor(random() * 5);
  const params: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = random() < 0.1 ? `π${i}` : `p${i}`;
    const form = random();
    if (form < 0.35) params.push(name);
    else if (form < 0.75) params.push(`${name}${pick(COMMENTS)} =${pick(COMMENTS)} ${pick(DEFAULTS)}`);
    else if (form < 0.85) params.push(`{ a${i}, b${i}: [c${i}] = [${pick(DEFAULTS)}] }${random() < 0.5 ? ` = {}` : ""}`);
    else params.push(`[d${i}, , e${i} = ${pick(DEFAULTS)}]`);
  }
  if (random() < 0.2) params.push(random() < 0.5 ? "...rest" : "...[r0, r1]");
  return params.map((p) => `${pick(COMMENTS)}${p}${pick(COMMENTS)}`).join(",");
}

const FORMS: ((params: string) => string)[] = [
  (p) => `(${p}) => 0`,
  (p) => `async (${p}) => 0`,
  (p) => `function named(${p}) { return 0; }`,
  (p) => `function* (${p}) {}`,
  (p) => `({ method(${p}) {} }).method`,
  (p) => `({ async *method(${p}) {} }).method`,
  (p) => `({ ["m(" + 1](${p}) {} })["m(1"]`,
  (p) => `(class { static s(${p}) {} }).s`,
];

describe("parameters agree with a full JS parser", () => {
  it("on 2000 generated functions", () => {
    const random = seededRandom(20261207);
    let checked = 0;
    for (let i = 0; i < 2000; i++) {
      const source = FORMS[i % FORMS.length]!(parameterList(random));
      const fn = new Function(`return (${source});`)() as Function;
      const expected = acornParameters(fn);
      expect(expected, source).toBeDefined();
      expect(parameters(fn), source).toEqual(expected);
      checked++;
    }
    expect(checked).toBe(2000);
  });

  it("on the functions Kiln's own tests and examples write", () => {
    const corpus: Function[] = [
      (x: number, training = false) => (training ? x : -x),
      function maybeDouble(x: number, double = false) {
        return double ? 2 * x : x;
      },
      function total(...xs: number[]) {
        return xs.length;
      },
      ({ a, b }: { a: number; b: number }, [c]: [number]) => a + b + c,
      async function load(path: string, { signal }: { signal?: AbortSignal } = {}) {
        return [path, signal];
      },
    ];
    for (const fn of corpus) expect(parameters(fn), String(fn)).toEqual(acornParameters(fn));
  });
});
