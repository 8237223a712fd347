import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { transformLoaded } from "../src/loader.js";

// SPEC G10 (b): `node --import @kiln/autograph/register app.js` converts the functions
// passed to tf.function while the module loads, with their real scope. The app runs in a
// child Node process; tsx and the "source" condition let it load the packages' TypeScript.

const packageDir = fileURLToPath(new URL("..", import.meta.url));

describe("Node loader hook", () => {
  it("converts tf.function arguments at load time in a child process (end to end)", () => {
    const output = execFileSync(
      process.execPath,
      ["--conditions=source", "--import", "tsx", "--import", "@kiln/autograph/register", "test/fixtures/loader_app.mjs"],
      {
        cwd: packageDir,
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: "" },
      },
    );
    const result = JSON.parse(output.trim().split("\n").at(-1)!);
    expect(result.shifted).toEqual([13, 4]);
    expect(result.abs).toEqual([4, 3]);
    expect(result.types).toEqual(expect.arrayContaining(["StatelessIf", "Range", "StatelessWhile"]));
    expect(result.error).toMatch(
      /'y' must also be initialized in the else branch.*\(in the if statement at test\/fixtures\/loader_app\.mjs:30:7\)/,
    );
    expect(result.plainStillPlain).toBe(2);
  }, 60_000);

  it("leaves modules without @kiln/core alone and appends a source map to converted ones", () => {
    expect(transformLoaded("file:///app/plain.mjs", "export const f = (x) => x > 0 ? x : -x;")).toBeUndefined();
    const out = transformLoaded(
      "file:///app/model.mjs",
      'import * as tf from "@kiln/core";\nexport const f = tf.function((x) => x > 0 ? x : -x);\n',
    )!;
    expect(out).toContain('import * as ag__ from "@kiln/autograph/runtime";');
    expect(out).toContain('tf.function(ag__.converted(x => ag__.ifExp(ag__.gt(x, 0), () => x, () => ag__.neg(x), "');
    expect(out).toMatch(/\/\/# sourceMappingURL=data:application\/json;charset=utf-8;base64,[A-Za-z0-9+/=]+\n$/);
  });
});
