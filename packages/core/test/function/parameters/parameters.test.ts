// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are JS source text, template literals included
import { describe, expect, it } from "vitest";
import { argumentNames, parameters } from "../../../src/function/parameters.js";

// tf.function reads a function's parameters from its source: placeholders are named after
// them (SPEC B1) and literal defaults are bound before keying the cache (SPEC C6).

/** A function from source text, as the engine compiles it (its toString is that text). */
const compile = (source: string): Function => new Function(`return (${source});`)();
const names = (fn: Function) => parameters(fn)?.map((p) => p.name);
const defaults = (fn: Function) => parameters(fn)?.map((p) => p.literalDefault);

describe("parameter names, by the form of the function", () => {
  it.each([
    ["an arrow", "(x, y) => x", ["x", "y"]],
    ["an arrow without parentheses", "x => x", ["x"]],
    ["an async arrow", "async (x, y) => x", ["x", "y"]],
    ["an async arrow without parentheses", "async x => x", ["x"]],
    ["an arrow whose parameter is named async", "async => async", ["async"]],
    ["a function expression", "function scale(t, factor) { return t; }", ["t", "factor"]],
    ["an anonymous function", "function (t) { return t; }", ["t"]],
    ["a generator", "function* gen(a, b) {}", ["a", "b"]],
    ["an async generator", "async function* gen(a) {}", ["a"]],
    ["no parameters", "() => 1", []],
    ["a trailing comma", "(a, b,) => a", ["a", "b"]],
    ["unicode and $ names", "(π, $x, _y, ñandú) => π", ["π", "$x", "_y", "ñandú"]],
    ["an escaped identifier", "(\\u0078, \\u{79}z) => 0", ["x", "yz"]],
  ])("%s", (_, source, expected) => {
    expect(names(compile(source))).toEqual(expected);
  });

  it.each([
    ["a method", "({ m(a, b) {} }).m", ["a", "b"]],
    ["an async method", "({ async m(a) {} }).m", ["a"]],
    ["a generator method", "({ *m(a) {} }).m", ["a"]],
    ["a method named async", "({ async(a) {} }).async", ["a"]],
    ["a method named function", "({ function(a) {} }).function", ["a"]],
  ])("%s", (_, source, expected) => {
    expect(names(compile(source))).toEqual(expected);
  });

  it("class methods: static, computed and quoted names", () => {
    const klass = compile('class { static s(a) {} ["m" + "(" + ")"](b, c) {} "q (r"(d) {} [`t${")"}`](e) {} 1(f) {} }') as Function & { s: Function };
    expect(names(klass.s)).toEqual(["a"]);
    expect(names(klass.prototype["m()"])).toEqual(["b", "c"]);
    expect(names(klass.prototype["q (r"])).toEqual(["d"]);
    expect(names(klass.prototype["t)"])).toEqual(["e"]);
    expect(names(klass.prototype[1])).toEqual(["f"]);
  });

  it("a getter's and a setter's parameters", () => {
    const holder = compile("({ get v() { return 1; }, set v(value) {} })");
    const descriptor = Object.getOwnPropertyDescriptor(holder, "v")!;
    expect(names(descriptor.get!)).toEqual([]);
    expect(names(descriptor.set!)).toEqual(["value"]);
  });

  it("functions without readable parameters: native, bound and classes", () => {
    expect(parameters(Math.max)).toBeUndefined();
    expect(parameters(((a: number) => a).bind(null))).toBeUndefined();
    expect(parameters(compile("class A { constructor(a) {} }"))).toBeUndefined();
    expect(parameters(compile("class B extends Object {}"))).toBeUndefined();
  });
});

describe("rest and destructured parameters", () => {
  it("a rest parameter is marked rest and keeps its name", () => {
    expect(parameters(compile("(x, ...xs) => x"))).toEqual([
      { name: "x", hasDefault: false, rest: false },
      { name: "xs", hasDefault: false, rest: true },
    ]);
  });

  it("destructured parameters are args_<i>, with or without defaults, and a rest pattern too", () => {
    expect(parameters(compile("({ a, b: [c, d] }, [e, , f] = [1, 2], ...[g, h]) => a"))).toEqual([
      { name: "args_0", hasDefault: false, rest: false },
      { name: "args_1", hasDefault: true, rest: false },
      { name: "args_2", hasDefault: false, rest: true },
    ]);
  });

  it("defaults inside a pattern are not the parameter's default", () => {
    expect(parameters(compile("({ a = 1, b = (2, 3) }) => a"))).toEqual([{ name: "args_0", hasDefault: false, rest: false }]);
  });
});

describe("literal defaults (bound before keying the cache)", () => {
  it.each([
    ["false", false],
    ["true", true],
    ["null", null],
    ["undefined", undefined],
    ["0", 0],
    ["-1", -1],
    ["- /* spaced */ 2.5e3", -2500],
    ["0x1F", 31],
    ["0o17", 15],
    ["0b101", 5],
    ["1_000", 1000],
    [".5", 0.5],
    ["017", 15],
    ["089", 89],
    ["10n", 10n],
    ["0x1fn", 31n],
    ["(3)", 3],
    ["((-4))", -4],
    ["-(5)", -5],
    ['"a, b)"', "a, b)"],
    ["'it\\'s'", "it's"],
    ['"\\n\\t\\x41\\u0042\\u{1F600}\\101\\0"', "\n\tAB\u{1F600}A\0"],
  ])("x = %s", (source, value) => {
    expect(defaults(compile(`(x = ${source}) => x`))).toEqual([{ value }]);
  });

  it.each([
    ["a template", "`a`"],
    ["a regex", "/a/g"],
    ["a unary plus", "+1"],
    ["a negated bigint", "-1n"],
    ["a double negation", "- -1"],
    ["an array", "[1]"],
    ["an object", "{}"],
    ["a name", "y"],
    ["a call", "f(1)"],
    ["an expression", "1 + 1"],
    ["an arrow", "() => 1"],
  ])("x = %s has a default that is not a literal", (_, source) => {
    const [param] = parameters(compile(`(y, x = ${source}) => x`))!.slice(1);
    expect(param).toEqual({ name: "x", hasDefault: true, rest: false });
  });
});

describe("defaults that contain brackets, commas and parentheses", () => {
  it.each([
    ["strings", "(a = \"(,)\", b = ')', c) => a", ["a", "b", "c"]],
    ["templates with substitutions", "(a = `(${[1, 2].join(\")\")}`, b = `${`${'}'}`}`, c) => a", ["a", "b", "c"]],
    ["regexes with brackets, slashes and classes", "(a = /[)(,]\\//g, b = /\\)/, c) => a", ["a", "b", "c"]],
    ["a division next to a regex", "(a = 4 / 2, b = (1) / 2 / /x/.source.length, c) => a", ["a", "b", "c"]],
    ["block comments", "(a /* , b) */, /* ( */ c = 1 /* ) */) => a", ["a", "c"]],
    ["line comments", "(a, // b, c)\n d) => a", ["a", "d"]],
    ["arrow functions and blocks", "(a = (x, y) => { return x / y; }, b = function () { return ')'; }, c) => a", ["a", "b", "c"]],
    ["objects and calls", "(a = { k: [1, (2, 3)] }, b = Math.max(1, 2), c) => a", ["a", "b", "c"]],
    ["earlier parameters", "(a, b = a, c = b * a) => a", ["a", "b", "c"]],
  ])("%s", (_, source, expected) => {
    expect(names(compile(source))).toEqual(expected);
  });
});

describe("argumentNames", () => {
  it("names rest elements xs_0, xs_1, ... and extra arguments args_<i>", () => {
    expect(argumentNames(parameters((x: unknown, ...xs: unknown[]) => [x, xs]), 3)).toEqual(["x", "xs_0", "xs_1"]);
    expect(argumentNames(parameters((x: unknown) => x), 3)).toEqual(["x", "args_1", "args_2"]);
    expect(argumentNames(undefined, 2)).toEqual(["args_0", "args_1"]);
  });
});
