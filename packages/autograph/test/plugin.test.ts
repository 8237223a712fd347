import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { esbuild as autograph } from "../src/plugin.js";
import { transformModule } from "../src/index.js";

// SPEC G10 (c): the bundler plugin converts at build time, so the bundle needs neither the
// parser nor eval (the CSP-safe path). One implementation (unplugin); esbuild here, and
// Vite through this package's own vitest config (test/graph.test.ts).

const fixture = fileURLToPath(new URL("./fixtures/plugin_app/main.ts", import.meta.url));

describe("bundler plugin", () => {
  it("bundles a TypeScript app with esbuild; the converted code runs (decorated method, cross-module helper)", async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), "kiln-autograph-")), "app.mjs");
    await build({
      entryPoints: [fixture],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile,
      conditions: ["source"],
      logLevel: "silent",
      plugins: [autograph()],
    });
    const bundle = readFileSync(outfile, "utf8");
    // esbuild flattens the `ag__` namespace: the operators are called directly.
    expect(bundle).toMatch(/\bifStmt\d*\(gt\d*\(x, floor\d*\)/);
    expect(bundle).toMatch(/\bregister\(relu\d*, converted\(function relu\d*\(x\)/);
    expect(bundle).not.toContain("@babel");
    const output = execFileSync(process.execPath, [outfile], { encoding: "utf8" });
    expect(JSON.parse(output.trim().split("\n").at(-1)!)).toEqual({ run: [2, 5], act: [6, 0] });
  }, 60_000);

  it("transformModule: a decorated method is converted in place and marked; an exported helper gets a twin", () => {
    const source = readFileSync(fixture, "utf8");
    const main = transformModule(source, { filename: "main.ts", typescript: true, installHook: true })!;
    expect(main.converted).toEqual(["run", "anonymous function"]);
    expect(main.code).toMatch(/@\(tf\.function\)\s*@ag__\.converted\s*run\(limit: any\)/);
    expect(main.code).toContain("ag__.install();");
    const helpers = transformModule(readFileSync(fixture.replace("main.ts", "helpers.ts"), "utf8"), {
      filename: "helpers.ts",
      typescript: true,
    })!;
    expect(helpers.converted).toEqual(["relu"]);
    expect(helpers.code).toContain("ag__.register(relu, ag__.converted(function relu(x: any): tf.Tensor {");
  });

  it("transformModule: locations in messages go through the input source map to the original file", () => {
    // A one-line "compiled" module whose map says the tf.function literal starts at line 7 of model.ts.
    const code = 'import * as tf from "@kiln/core";\nconst f = tf.function((x) => x > 0 ? x : -x);\n';
    const map = { version: 3, sources: ["model.ts"], names: [], mappings: "AAAA;AAMA,UAAU,cAAc" };
    const result = transformModule(code, { filename: "model.js", displayName: "model.ts", inputSourceMap: map })!;
    expect(result.code).toMatch(/"model\.ts:7:\d+"/);
  });
});
