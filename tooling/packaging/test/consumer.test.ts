import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { binPath } from "../src/bin.js";
import { installPacked } from "../src/consumer.js";
import { type ExportsValue, subpaths } from "../src/exports.js";
import { packedManifest } from "../src/pack.js";

// A project that installed the packed packages: it loads every entry point with import and
// with require() (Node 20.19+ loads ES modules from require), and type-checks against them
// with TypeScript while asking for the `source` condition, which must not reach Kiln's
// sources (they are published for source maps, not for type-checking).

const packed = inject("packed");
const consumer = join(inject("packDir"), "consumer");
const run = (args: string[]) =>
  promisify(execFile)(process.execPath, args, { cwd: consumer }).catch((error) => ({ stdout: error.stdout, stderr: `${error.stderr}\n${error.message}` }));

/** Every specifier a consumer can import: `@kiln/autograph`, `@kiln/autograph/register`, ... */
async function specifiers(name: string, tarball: string): Promise<string[]> {
  const manifest = await packedManifest(tarball);
  return subpaths(manifest.exports as ExportsValue)
    .filter((subpath) => subpath !== "./package.json")
    .map((subpath) => (subpath === "." ? name : `${name}/${subpath.slice(2)}`));
}

beforeAll(async () => {
  mkdirSync(consumer, { recursive: true });
  await installPacked(packed, consumer);
});

describe.each(packed.map((p) => [p.name, p] as const))("%s, installed from its tarball", (name, { tarball }) => {
  it("loads every entry point with require() from CommonJS, without warnings", async () => {
    const entries = await specifiers(name, tarball);
    const { stdout, stderr } = await run(["-e", `for (const s of ${JSON.stringify(entries)}) { require(s); console.log(s); }`]);
    expect(stderr).toBe("");
    expect(stdout.trim().split("\n")).toEqual(entries);
  });

  it("loads every entry point with import, without warnings", async () => {
    const entries = await specifiers(name, tarball);
    const { stdout, stderr } = await run(["--input-type=module", "-e", `for (const s of ${JSON.stringify(entries)}) { await import(s); console.log(s); }`]);
    expect(stderr).toBe("");
    expect(stdout.trim().split("\n")).toEqual(entries);
  });
});

describe("a consumer's program", () => {
  const program = (load: (name: string) => string) => `
    const tf = ${load("@kiln/core")};
    const { cpu } = ${load("@kiln/backend-cpu")};
    tf.registerBackend(cpu());
    const addOne = tf.function((x) => x.add(1));
    console.log(JSON.stringify(addOne(tf.tensor([1, 2])).arraySync()), addOne.tracingCount);`;

  it("runs tf.function on the cpu backend through require()", async () => {
    const { stdout, stderr } = await run(["-e", program((name) => `require("${name}")`)]);
    expect(stderr).toBe("");
    expect(stdout.trim()).toBe("[2,3] 1");
  });

  it("runs tf.function on the cpu backend through import", async () => {
    const { stdout, stderr } = await run(["--input-type=module", "-e", program((name) => `await import("${name}")`)]);
    expect(stderr).toBe("");
    expect(stdout.trim()).toBe("[2,3] 1");
  });
});

/**
 * The errors tsc reports in Kiln's declarations or the consumer's own files. Third-party
 * declarations are left out: unplugin's name bundlers the consumer may not have installed
 * (its optional peers), which is unplugin's to fix and every project sees without skipLibCheck.
 */
function ownErrors(output: string): string[] {
  return output
    .split("\n")
    .filter((line) => /^\S.*\(\d+,\d+\): error/.test(line) && (/^node_modules\/@kiln\//.test(line) || !line.includes("node_modules")));
}

/** What tsc found: the errors in Kiln's or the consumer's files, and the Kiln files it read. */
interface Typecheck {
  readonly errors: string[];
  readonly kilnFiles: string[];
}

describe.concurrent("a TypeScript consumer that sets customConditions: ['source']", () => {
  const tsc = binPath("typescript", "tsc");
  // A deliberate error in the consumer's own code shows that tsc ran and its errors are seen.
  const control = { "control.ts": 'export const wrong: number = "not a number";\n' };
  const typecheck = async (compilerOptions: Record<string, unknown>, files: Record<string, string>): Promise<Typecheck> => {
    const dir = join(consumer, `ts-${String(compilerOptions.moduleResolution)}`);
    mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries({ ...files, ...control })) writeFileSync(join(dir, file), text);
    const options = { strict: true, noEmit: true, skipLibCheck: false, skipDefaultLibCheck: true, target: "ES2022", types: [], customConditions: ["source"], ...compilerOptions };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: options, include: [...Object.keys(files), "control.ts"] }));
    const { stdout, stderr } = await run([tsc, "-p", dir, "--listFiles"]);
    const output = `${stdout}${stderr}`;
    const kilnFiles = output.split("\n").flatMap((line) => /node_modules\/(@kiln\/.*)$/.exec(line)?.[1] ?? []);
    return { errors: ownErrors(output), kilnFiles };
  };
  const expectClean = ({ errors, kilnFiles }: Typecheck) => {
    expect(errors).toEqual([expect.stringMatching(/control\.ts\(1,14\): error TS2322/)]);
    expect(kilnFiles).toContain("@kiln/core/dist/index.d.ts");
    expect(kilnFiles.filter((file) => /^@kiln\/[^/]+\/src\//.test(file)), "Kiln sources in the consumer's program").toEqual([]);
  };
  const uses = `
    tf.registerBackend(cpu());
    const double = tf.function((x: tf.Tensor) => x.mul(2));
    const y: tf.Tensor = double(tf.tensor([1, 2]));
    export const shape: readonly (number | null)[] = y.shape;`;

  it("type-checks against the published declarations under nodenext, from ESM and from CommonJS require", async () => {
    const esm = [
      'import * as tf from "@kiln/core";',
      'import { cpu } from "@kiln/backend-cpu";',
      'import * as keras from "@kiln/keras";',
      'import { autograph } from "@kiln/autograph";',
      'import * as plugins from "@kiln/autograph/plugin";',
      'import * as runtime from "@kiln/autograph/runtime";',
      "export { keras, autograph, plugins, runtime };",
      uses,
    ];
    const cjs = ['import tf = require("@kiln/core");', 'import cpuPackage = require("@kiln/backend-cpu");', "const { cpu } = cpuPackage;", uses];
    const result = await typecheck({ module: "nodenext", moduleResolution: "nodenext" }, { "esm.mts": esm.join("\n"), "cjs.cts": cjs.join("\n") });
    expectClean(result);
  });

  it("type-checks against the published declarations under bundler resolution", async () => {
    const result = await typecheck(
      { module: "esnext", moduleResolution: "bundler" },
      { "app.ts": `import * as tf from "@kiln/core";\nimport { cpu } from "@kiln/backend-cpu";\nimport "@kiln/autograph/register";\n${uses}` },
    );
    expectClean(result);
  });
});
