/**
 * Random small integer programs built from the constructs AutoGraph converts, for property
 * tests: `if`/`else if`, `for (;;)`, `while`, `do...while`, `for...of`, `switch`, `break`,
 * `continue`, early `return`, ternaries, `&&`/`||`/`!`, arithmetic and compound
 * assignment. Every loop is bounded by a counter its body never writes, so programs end.
 *
 * `tensorSafe` restricts the grammar to what also traces with float32 tensor inputs: no
 * `break`/`return` in loops that run as JS (a tensor-dependent jump there is SPEC G7's
 * error), while loops whose condition is a tensor, logical operators on comparisons only,
 * no `switch` (its cases compare with `===`), small values.
 */

/** mulberry32: a tiny seeded generator, so failures reproduce. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let r = Math.imul(state ^ (state >>> 15), 1 | state);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scope {
  depth: number;
  /** Inside a loop (break/continue allowed) and whether that loop is a tensor (staged) loop. */
  loop: "none" | "js" | "tensor";
  /** Some enclosing loop runs as JS (a return inside would make its condition a tensor). */
  inJsLoop: boolean;
  inSwitch: boolean;
}

export function generateProgram(random: () => number, options: { tensorSafe: boolean }): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number) => random() < p;
  const vars = ["x", "y", "z"];
  let counter = 0;
  const safe = options.tensorSafe;

  const literal = () => String(Math.floor(random() * 9) - 3);
  const value = (depth: number): string => {
    const r = random();
    if (depth <= 0 || r < 0.35) return chance(0.7) ? pick(vars) : literal();
    if (r < 0.6) return `(${value(depth - 1)} ${pick(["+", "-", "+", "-"])} ${value(depth - 1)})`;
    if (r < 0.7) return `(${value(depth - 1)} * ${safe ? "-1" : pick(["2", "-1", "3"])})`;
    if (r < 0.78) return `(${value(depth - 1)} % ${pick(["2", "3", "5"])})`;
    if (r < 0.9) return `(${condition(depth - 1)} ? ${value(depth - 1)} : ${value(depth - 1)})`;
    if (!safe && r < 0.95) return `(${value(depth - 1)} ${pick(["&&", "||"])} ${value(depth - 1)})`;
    return `(-(${value(depth - 1)}))`;
  };
  function condition(depth: number): string {
    const r = random();
    const comparison = () => `${value(Math.min(depth, 1))} ${pick(["<", "<=", ">", ">=", "===", "!=="])} ${value(Math.min(depth, 1))}`;
    if (depth <= 0 || r < 0.6) return comparison();
    if (r < 0.85) return `(${condition(depth - 1)} ${pick(["&&", "||"])} ${condition(depth - 1)})`;
    return `!(${condition(depth - 1)})`;
  }
  const indent = (code: string) => code.replace(/^/gm, "  ");

  const statement = (scope: Scope): string => {
    const r = random();
    const nested = scope.depth < 3;
    const breakAllowed = !safe || scope.loop === "tensor";
    if (scope.loop !== "none" && breakAllowed && r < 0.08) return `if (${condition(1)}) ${pick(["break", "continue"])};`;
    if (scope.loop !== "none" && r < 0.08) return `if (${condition(1)}) continue;`;
    if ((!safe || !scope.inJsLoop) && r < 0.13) return `if (${condition(1)}) return [${value(1)}, ${value(1)}, 0];`;
    if (!nested || r < 0.5) {
      const v = pick(vars);
      const kind = random();
      if (kind < 0.4) return `${v} = ${value(2)};`;
      if (kind < 0.75) return `${v} ${pick(["+=", "-="])} ${value(1)};`;
      if (kind < 0.85) return `${v} *= ${safe ? "-1" : pick(["2", "-1"])};`;
      return `${v}${pick(["++", "--"])};`;
    }
    const inner = (extra: Partial<Scope> = {}) => block({ ...scope, depth: scope.depth + 1, ...extra });
    if (r < 0.65) {
      const tail = chance(0.3) ? ` else if (${condition(1)}) {\n${inner()}\n}` : "";
      return `if (${condition(2)}) {\n${inner()}\n}${tail}${chance(0.5) ? ` else {\n${inner()}\n}` : ""}`;
    }
    const n = counter++;
    const bound = 1 + Math.floor(random() * 3);
    if (r < 0.75) return `for (let i${n} = 0; i${n} < ${bound}; i${n}++) {\n${inner({ loop: "js", inJsLoop: true, inSwitch: false })}\n}`;
    if (r < 0.85) {
      // `&& a > -1e6` (a is a tensor input) keeps the condition a tensor when the rest is a JS true, so the loop is a While op.
      const test = safe ? `w${n} < ${bound} && ${condition(1)} && a > -1000000` : `w${n} < ${bound} && ${condition(1)}`;
      return `{\n  let w${n} = 0;\n  while (${test}) {\n    w${n}++;\n${indent(inner({ loop: safe ? "tensor" : "js", inSwitch: false }))}\n  }\n}`;
    }
    if (r < 0.9 && !safe)
      return `{\n  let d${n} = 0;\n  do {\n    d${n}++;\n${indent(inner({ loop: "js", inJsLoop: true, inSwitch: false }))}\n  } while (d${n} < ${bound} && ${condition(1)});\n}`;
    if (r < 0.95 || safe)
      return `for (const e${n} of [${value(1)}, ${value(1)}].slice(0, ${bound})) {\n  ${pick(vars)} += e${n};\n${inner({ loop: "js", inJsLoop: true, inSwitch: false })}\n}`;
    const cases = [0, 1, 2].map((k) => `case ${k}:\n${indent(inner({ inSwitch: true }))}${chance(0.6) ? "\n  break;" : ""}`).join("\n");
    return `switch (${pick(vars)} % 3) {\n${cases}\ndefault:\n${indent(inner({ inSwitch: true }))}\n}`;
  };
  function block(scope: Scope): string {
    const count = 1 + Math.floor(random() * 3);
    return indent(Array.from({ length: count }, () => statement(scope)).join("\n"));
  }

  const body = block({ depth: 0, loop: "none", inJsLoop: false, inSwitch: false });
  return `function program(a, b) {\n  let x = a, y = b, z = ${safe ? "a - b" : "1"};\n${body}\n  return [x, y, z];\n}`;
}
