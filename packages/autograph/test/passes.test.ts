import { describe, expect, it } from "vitest";
import { convertText } from "./helpers.js";

// Source -> source goldens, one pass at a time (after canonicalization, which every pass
// relies on), then the whole pipeline.

describe("canonicalize", () => {
  it("makes bodies blocks, hoists nested vars, and turns for(;;) into while with the update last", () => {
    expect(
      convertText(
        `function f(n) {
          var total = 0;
          for (var i = 0; i < n; i++) if (i % 2) total += i;
          return total;
        }`,
        [],
      ),
    ).toMatchInlineSnapshot(`
      "function f(n) {
        var i;
        var total = 0;
        {
          i = 0;
          while (i < n) {
            if (i % 2) {
              total += i;
            }
            i++;
          }
        }
        return total;
      }"
    `);
  });

  it("keeps let-scoped for loops in their own block and moves a label onto the while", () => {
    expect(
      convertText(
        `function f(n) {
          outer: for (let i = 0; i < n; i++) { if (i > 2) break outer; }
        }`,
        [],
      ),
    ).toMatchInlineSnapshot(`
      "function f(n) {
        {
          let i = 0;
          outer: while (i < n) {
            if (i > 2) {
              break outer;
            }
            i++;
          }
        }
      }"
    `);
  });
});

describe("break pass", () => {
  it("turns break into a flag checked by the loop condition and guarding what follows", () => {
    expect(
      convertText(
        `function f(x, y) {
          while (x < 10) {
            if (x > y) break;
            x++;
          }
          return x;
        }`,
        ["break"],
      ),
    ).toMatchInlineSnapshot(`
      "function f(x, y) {
        let break__1 = false;
        while (!break__1 && x < 10) {
          if (x > y) {
            break__1 = true;
          }
          if (!break__1) {
            x++;
          }
        }
        return x;
      }"
    `);
  });

  it("gives a for...of loop the flag as its extra test (shown through the control-flow pass)", () => {
    expect(
      convertText(
        `function f(xs) {
          let last = 0;
          for (const x of xs) { if (x < 0) break; last = x; }
          return last;
        }`,
        ["break", "controlFlow"],
      ),
    ).toMatchInlineSnapshot(`
      "function f(xs) {
        let last = 0;
        let break__1 = false;
        ag__.forStmt(xs, () => !break__1, x => {
          ag__.ifStmt(x < 0, () => {
            break__1 = true;
          }, () => {}, () => [break__1], vars__ => {
            [break__1] = vars__;
          }, ["break__1"], "<function f>:3:33");
          ag__.ifStmt(!break__1, () => {
            last = x;
          }, () => {}, () => [last], vars__ => {
            [last] = vars__;
          }, ["last"], "<function f>:3:51");
        }, () => [break__1, last], vars__ => {
          [break__1, last] = vars__;
        }, ["break__1", "last"], "<function f>:3:11");
        return last;
      }"
    `);
  });

  it("leaves a switch's own breaks alone unless an if separates them from the switch", () => {
    expect(
      convertText(
        `function f(k, c) {
          let y = 0;
          switch (k) {
            case 1: y = 1; break;
            case 2: if (c) break; y = 2;
            case 3: y += 3;
          }
          return y;
        }`,
        ["break"],
      ),
    ).toMatchInlineSnapshot(`
      "function f(k, c) {
        let y = 0;
        let break__1 = false;
        switch (k) {
          case 1:
            y = 1;
            break;
          case 2:
            if (c) {
              break__1 = true;
            }
            if (!break__1) {
              y = 2;
            }
          case 3:
            if (!break__1) {
              y += 3;
            }
        }
        return y;
      }"
    `);
  });
});

describe("continue pass", () => {
  it("declares the flag per iteration and guards the rest of the body", () => {
    expect(
      convertText(
        `function f(xs) {
          let s = 0;
          for (const x of xs) { if (x < 0) continue; s += x; }
          return s;
        }`,
        ["continue"],
      ),
    ).toMatchInlineSnapshot(`
      "function f(xs) {
        let s = 0;
        for (const x of xs) {
          let continue__1 = false;
          if (x < 0) {
            continue__1 = true;
          }
          if (!continue__1) {
            s += x;
          }
        }
        return s;
      }"
    `);
  });

  it("keeps the update of a desugared for loop outside the guard", () => {
    expect(
      convertText(
        `function f(n) {
          let s = 0;
          for (let i = 0; i < n; i++) { if (i === 2) continue; s += i; }
          return s;
        }`,
        ["continue"],
      ),
    ).toMatchInlineSnapshot(`
      "function f(n) {
        let s = 0;
        {
          let i = 0;
          while (i < n) {
            let continue__1 = false;
            if (i === 2) {
              continue__1 = true;
            }
            if (!continue__1) {
              s += i;
            }
            i++;
          }
        }
        return s;
      }"
    `);
  });
});

describe("return pass", () => {
  it("moves the code after an always-returning branch into the other branch (no flag needed)", () => {
    expect(
      convertText(
        `function f(x) {
          if (x > 0) {
            return x;
          }
          x = -x;
          return x * 2;
        }`,
        ["return"],
      ),
    ).toMatchInlineSnapshot(`
      "function f(x) {
        let retval__;
        if (x > 0) {
          retval__ = x;
        } else {
          x = -x;
          retval__ = x * 2;
        }
        return retval__;
      }"
    `);
  });

  it("uses doReturn__ for a return inside a loop: it stops the loop and guards the rest", () => {
    expect(
      convertText(
        `function f(xs) {
          for (const x of xs) {
            if (x > 2) return x;
          }
          return -1;
        }`,
        ["return", "controlFlow"],
      ),
    ).toMatchInlineSnapshot(`
      "function f(xs) {
        let retval__;
        let doReturn__ = false;
        ag__.forStmt(xs, () => !doReturn__, x => {
          ag__.ifStmt(x > 2, () => {
            retval__ = x;
            doReturn__ = true;
          }, () => {}, () => [doReturn__, retval__], vars__ => {
            [doReturn__, retval__] = vars__;
          }, ["doReturn__", "retval__"], "<function f>:3:13");
        }, () => [doReturn__, retval__], vars__ => {
          [doReturn__, retval__] = vars__;
        }, ["doReturn__", "retval__"], "<function f>:2:11");
        ag__.ifStmt(!doReturn__, () => {
          retval__ = -1;
          doReturn__ = true;
        }, () => {}, () => [retval__, doReturn__], vars__ => {
          [retval__, doReturn__] = vars__;
        }, ["retval__", "doReturn__"], "<function f>:5:11", 1);
        return retval__;
      }"
    `);
  });

  it("leaves a function without nested returns alone", () => {
    expect(convertText(`function f(x) { const y = x + 1; return y; }`, ["return"])).toMatchInlineSnapshot(`
      "function f(x) {
        const y = x + 1;
        return y;
      }"
    `);
  });
});

describe("call wrapping pass", () => {
  it("wraps user calls, keeps tf, console, Math and locally defined functions direct", () => {
    expect(
      convertText(
        `function f(x) {
          const double = (v) => v * 2;
          console.log("tracing", x);
          const y = helper(tf.add(x, Math.max(1, 2)));
          return this.layer.apply(double(y), ...rest);
        }`,
        ["calls"],
      ),
    ).toMatchInlineSnapshot(`
      "function f(x) {
        const double = v => v * 2;
        console.log("tracing", x);
        const y = ag__.call(helper, tf.add(x, Math.max(1, 2)));
        return ag__.callMethod(this.layer, "apply", double(y), ...rest);
      }"
    `);
  });
});

describe("control-flow pass", () => {
  it("if/else with state: every assigned variable is restored per branch; those used afterwards are the outputs (nouts)", () => {
    expect(
      convertText(
        `function f(x) {
          let y, tmp;
          if (x > 0) { tmp = x * 2; y = tmp; } else { y = -x; }
          return y;
        }`,
        ["controlFlow"],
      ),
    ).toMatchInlineSnapshot(`
      "function f(x) {
        let y, tmp;
        ag__.ifStmt(x > 0, () => {
          tmp = x * 2;
          y = tmp;
        }, () => {
          y = -x;
        }, () => [y, tmp], vars__ => {
          [y, tmp] = vars__;
        }, ["y", "tmp"], "<function f>:3:11", 1);
        return y;
      }"
    `);
  });

  it("else-if chains nest", () => {
    expect(
      convertText(
        `function f(x) {
          let s = 0;
          if (x > 0) s = 1; else if (x < 0) s = -1;
          return s;
        }`,
        ["controlFlow"],
      ),
    ).toMatchInlineSnapshot(`
      "function f(x) {
        let s = 0;
        ag__.ifStmt(x > 0, () => {
          s = 1;
        }, () => {
          ag__.ifStmt(x < 0, () => {
            s = -1;
          }, () => {}, () => [s], vars__ => {
            [s] = vars__;
          }, ["s"], "<function f>:3:34");
        }, () => [s], vars__ => {
          [s] = vars__;
        }, ["s"], "<function f>:3:11");
        return s;
      }"
    `);
  });

  it("while and do...while carry the variables the loop reads before writing", () => {
    expect(
      convertText(
        `function f(n) {
          let i = 0, acc = 1, t;
          while (i < n) { t = acc * 2; acc = t; i++; }
          do { i--; } while (i > 0);
          return acc;
        }`,
        ["controlFlow"],
      ),
    ).toMatchInlineSnapshot(`
      "function f(n) {
        let i = 0,
          acc = 1,
          t;
        ag__.whileStmt(() => i < n, () => {
          t = acc * 2;
          acc = t;
          i++;
        }, () => [acc, i], vars__ => {
          [acc, i] = vars__;
        }, ["acc", "i"], "<function f>:3:11");
        ag__.doWhileStmt(() => i > 0, () => {
          i--;
        }, () => [i], vars__ => {
          [i] = vars__;
        }, ["i"], "<function f>:4:11");
        return acc;
      }"
    `);
  });

  it("for...of with destructuring, over an existing variable, and for...in", () => {
    expect(
      convertText(
        `function f(pairs, obj) {
          let s = 0, k;
          for (const [a, b] of pairs) s += a * b;
          for (k of [1, 2]) s += k;
          for (const key in obj) s += obj[key];
          return s;
        }`,
        ["controlFlow"],
      ),
    ).toMatchInlineSnapshot(`
      "function f(pairs, obj) {
        let s = 0,
          k;
        ag__.forStmt(pairs, undefined, ([a, b]) => {
          s += a * b;
        }, () => [s], vars__ => {
          [s] = vars__;
        }, ["s"], "<function f>:3:11");
        ag__.forStmt([1, 2], undefined, item__ => {
          k = item__;
          s += k;
        }, () => [k, s], vars__ => {
          [k, s] = vars__;
        }, ["k", "s"], "<function f>:4:11");
        ag__.forStmt(ag__.forInKeys(obj), undefined, key => {
          s += obj[key];
        }, () => [s], vars__ => {
          [s] = vars__;
        }, ["s"], "<function f>:5:11");
        return s;
      }"
    `);
  });
});

describe("expression passes", () => {
  it("ternaries become ifExp with lazy branches", () => {
    expect(convertText(`(x) => x > 0 ? x : -x`, ["conditionalExpressions"])).toMatchInlineSnapshot(
      `"x => ag__.ifExp(x > 0, () => x, () => -x, "<function f>:1:8")"`,
    );
  });

  it("&& and || become lazy ag__.and/or; ! becomes ag__.not; ?? is left alone", () => {
    expect(convertText(`(a, b, c) => (a && b) || !c || (a ?? b)`, ["logicalExpressions"])).toMatchInlineSnapshot(
      `"(a, b, c) => ag__.or(() => ag__.or(() => ag__.and(() => a, () => b), () => ag__.not(c)), () => a ?? b)"`,
    );
  });

  it("arithmetic, comparisons, compound assignment and ++ become operators; JS-only forms stay", () => {
    expect(
      convertText(
        `function f(x, obj) {
          let y = x ** 3 - -x + 2 * 3;
          y += 1; obj.n *= 2; y++;
          const s = "n=" + y, same = x === undefined, kind = typeof x === "number";
          return [y / 2 % 5, x <= y, x !== y, x == y, -1, s, same, kind, y & 1];
        }`,
        ["operators"],
      ),
    ).toMatchInlineSnapshot(`
      "function f(x, obj) {
        let y = ag__.add(ag__.sub(ag__.pow(x, 3), ag__.neg(x)), 2 * 3);
        y = ag__.add(ag__.target(y), 1);
        obj.n = ag__.mul(ag__.target(obj.n), 2);
        y = ag__.inc(y);
        const s = ag__.add("n=", y),
          same = x === undefined,
          kind = typeof x === "number";
        return [ag__.mod(ag__.div(y, 2), 5), ag__.le(x, y), ag__.ne(x, y), ag__.looseEq(x, y), -1, s, same, kind, y & 1];
      }"
    `);
  });
});

describe("whole pipeline", () => {
  it("SPEC G3 seeds: a JS for loop and a loop over tf.range", () => {
    expect(convertText(`function f(x) { for (let i = 0; i < 10; i++) x += 1; return x; }`)).toMatchInlineSnapshot(`
      "function f(x) {
        {
          let i = 0;
          ag__.whileStmt(() => ag__.lt(i, 10), () => {
            x = ag__.add(ag__.target(x), 1);
            i = ag__.inc(i);
          }, () => [i, x], vars__ => {
            [i, x] = vars__;
          }, ["i", "x"], "<function f>:1:17");
        }
        return x;
      }"
    `);
    expect(convertText(`function f(x) { for (const i of tf.range(10)) x += 1; return x; }`)).toMatchInlineSnapshot(`
      "function f(x) {
        ag__.forStmt(tf.range(10), undefined, i => {
          x = ag__.add(ag__.target(x), 1);
        }, () => [x], vars__ => {
          [x] = vars__;
        }, ["x"], "<function f>:1:17");
        return x;
      }"
    `);
  });

  it("SPEC B1: tfCube as (x) => x ** 3", () => {
    expect(convertText(`(x) => x ** 3`)).toMatchInlineSnapshot(`"x => ag__.pow(x, 3)"`);
  });

  it("nested loops with break and continue, and an early return", () => {
    expect(
      convertText(
        `function f(grid, limit) {
          let total = 0;
          for (const row of grid) {
            for (const v of row) {
              if (v < 0) continue;
              if (v > limit) break;
              total += v;
            }
            if (total > 100) return -1;
          }
          return total;
        }`,
      ),
    ).toMatchInlineSnapshot(`
      "function f(grid, limit) {
        let retval__;
        let doReturn__ = false;
        let total = 0;
        ag__.forStmt(grid, () => ag__.not(doReturn__), row => {
          let break__1 = false;
          ag__.forStmt(row, () => ag__.not(break__1), v => {
            let continue__1 = false;
            ag__.ifStmt(ag__.lt(v, 0), () => {
              continue__1 = true;
            }, () => {}, () => [continue__1], vars__ => {
              [continue__1] = vars__;
            }, ["continue__1"], "<function f>:5:15");
            ag__.ifStmt(ag__.not(continue__1), () => {
              ag__.ifStmt(ag__.gt(v, limit), () => {
                break__1 = true;
              }, () => {}, () => [break__1], vars__ => {
                [break__1] = vars__;
              }, ["break__1"], "<function f>:6:15");
              ag__.ifStmt(ag__.not(break__1), () => {
                total = ag__.add(ag__.target(total), v);
              }, () => {}, () => [total], vars__ => {
                [total] = vars__;
              }, ["total"], "<function f>:7:15");
            }, () => {}, () => [break__1, total], vars__ => {
              [break__1, total] = vars__;
            }, ["break__1", "total"], "<function f>:6:15");
          }, () => [break__1, total], vars__ => {
            [break__1, total] = vars__;
          }, ["break__1", "total"], "<function f>:4:13");
          ag__.ifStmt(ag__.gt(total, 100), () => {
            retval__ = -1;
            doReturn__ = true;
          }, () => {}, () => [doReturn__, retval__], vars__ => {
            [doReturn__, retval__] = vars__;
          }, ["doReturn__", "retval__"], "<function f>:9:13");
        }, () => [doReturn__, retval__, total], vars__ => {
          [doReturn__, retval__, total] = vars__;
        }, ["doReturn__", "retval__", "total"], "<function f>:3:11");
        ag__.ifStmt(ag__.not(doReturn__), () => {
          retval__ = total;
          doReturn__ = true;
        }, () => {}, () => [retval__, doReturn__], vars__ => {
          [retval__, doReturn__] = vars__;
        }, ["retval__", "doReturn__"], "<function f>:11:11", 1);
        return retval__;
      }"
    `);
  });
});
