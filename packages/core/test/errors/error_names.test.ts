/**
 * Error names survive minification: every Kiln error class declares its `name` as a string
 * (`static errorName`), so `err.name === "ShapeError"` holds in a user's minified bundle, where
 * the class itself is renamed to something like `nF`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as tf from "@kiln/core";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { exportedErrorClasses, misnamedErrorClasses } from "../../../../error_names.shared.js";

const coreEntry = fileURLToPath(new URL("../../src/index.ts", import.meta.url));
const coreErrors = exportedErrorClasses(tf);

/** What the minified bundle reports for each class: the thrown error's name, and the class's own (minified) name. */
interface BundleReport {
  readonly thrown: Record<string, { name: string; isKilnError: boolean; message: string; text: string }>;
  readonly classNames: Record<string, string>;
}

/** Bundles and minifies a program that throws each of `names` from @kiln/core's sources, runs it and returns its report. */
async function runMinified(names: readonly string[], outDir: string): Promise<BundleReport> {
  const entry = [
    `import { ${[...new Set(["KilnError", ...names])].join(", ")} } from ${JSON.stringify(coreEntry)};`,
    "const report = { thrown: {}, classNames: {} };",
    ...names.map(
      (name) =>
        `try { throw new ${name}("${name} message"); } catch (e) {` +
        ` report.thrown[${JSON.stringify(name)}] = { name: e.name, isKilnError: e instanceof KilnError && e instanceof ${name}, message: e.message, text: String(e) };` +
        ` report.classNames[${JSON.stringify(name)}] = ${name}.name; }`,
    ),
    "export default report;",
  ].join("\n");
  const result = await build({
    stdin: { contents: entry, resolveDir: outDir, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const file = join(outDir, "bundle.mjs");
  writeFileSync(file, result.outputFiles[0]!.text);
  return ((await import(pathToFileURL(file).href)) as { default: BundleReport }).default;
}

describe("error names survive minification", () => {
  const outDir = mkdtempSync(join(tmpdir(), "kiln-error-names-"));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it("@kiln/core exports its typed errors (the list the other checks walk)", () => {
    expect(coreErrors.map(([name]) => name)).toEqual(
      expect.arrayContaining(["KilnError", "ShapeError", "DTypeError", "AxisError", "ArgumentError", "DisposedError", "BackendError"]),
    );
    expect(coreErrors.length).toBeGreaterThanOrEqual(15);
  });

  it("an error thrown from a minified bundle carries its class's name, message and instanceof", async () => {
    const names = coreErrors.map(([name]) => name);
    const report = await runMinified(names, outDir);
    // The minifier did rename the classes, so the check below is not vacuous.
    expect(names.filter((name) => report.classNames[name] !== name).length).toBeGreaterThan(names.length / 2);
    for (const name of names) {
      expect(report.thrown[name], name).toEqual({ name, isKilnError: true, message: `${name} message`, text: `${name}: ${name} message` });
    }
  }, 120_000);

  it("every exported error class declares a name equal to its export name, and its errors carry it", () => {
    expect(misnamedErrorClasses(tf)).toEqual([]);
    for (const [name, cls] of coreErrors) expect(new (cls as unknown as new (message: string) => Error)("m").name, name).toBe(name);
  });

  it("a subclass outside Kiln that declares no errorName is named after its class; one that does keeps it", () => {
    class Unnamed extends tf.ShapeError {}
    class Named extends tf.ShapeError {
      static override readonly errorName: string = "MyShapeError";
    }
    expect(new Unnamed("m").name).toBe("Unnamed");
    expect(new Named("m").name).toBe("MyShapeError");
    expect(new Named("m")).toBeInstanceOf(tf.ShapeError);
    expect(String(new Named("bad"))).toBe("MyShapeError: bad");
  });
});
