import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Code, Root } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";

/** One TypeScript sample of a markdown page, with the output the page shows for it, if any. */
export interface Sample {
  /** The line of its opening fence. */
  readonly line: number;
  readonly code: string;
  /** The ```text block right after it: what running it prints (stdout and stderr, in order). */
  readonly expected: string | undefined;
}

/** The samples of a page: the shared setup (the ```ts setup block) and every other ```ts block. */
export interface PageSamples {
  readonly setup: string;
  readonly samples: Sample[];
}

/**
 * Reads a page's code samples. A ```ts block whose info string says `setup` runs before each
 * sample; a ```text block that directly follows a ```ts block is its printed output.
 *
 * ```ts
 * pageSamples("docs/guide/tf-function.md").samples[0]; // { line: 31, code: "const add = ...", expected: "..." }
 * ```
 */
export function pageSamples(path: string): PageSamples {
  const tree: Root = fromMarkdown(readFileSync(path, "utf8"));
  const blocks = tree.children.filter((node): node is Code => node.type === "code");
  const setups = blocks.filter((block) => block.lang === "ts" && block.meta === "setup");
  if (setups.length > 1) throw new Error(`${path}: expected at most one \`\`\`ts setup block, found ${setups.length}`);
  const samples: Sample[] = [];
  tree.children.forEach((node, index) => {
    if (node.type !== "code" || node.lang !== "ts" || node.meta === "setup") return;
    const next = tree.children[index + 1];
    const expected = next?.type === "code" && next.lang === "text" ? next.value : undefined;
    samples.push({ line: node.position?.start.line ?? 0, code: node.value, expected });
  });
  return { setup: setups[0]?.value ?? "", samples };
}

/** A folder to run samples in: an ES module project whose node_modules is `modules` (where the Kiln packages are installed). */
export function sampleProject(modules: string): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "kiln-samples-"));
  symlinkSync(modules, join(dir, "node_modules"), "dir");
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "guide-samples", private: true, type: "module" })}\n`);
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs one program as the guide tells readers to, `tsx --import @kiln/autograph/register
 * sample.ts` (TypeScript, with AutoGraph's loader), in a folder `name` of `project`; resolves
 * to its exit code and everything it printed, stdout and stderr interleaved as a terminal
 * shows them.
 *
 * ```ts
 * await runProgram(project.dir, "line42", 'console.log("hi")'); // { code: 0, output: "hi\n" }
 * ```
 */
export function runProgram(project: string, name: string, code: string): Promise<{ code: number | null; output: string }> {
  // Each program is `sample.ts` in its own folder, so messages that name the file read the same for every sample.
  const dir = join(project, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "sample.ts"), code);
  const log = join(dir, "output.log");
  const fd = openSync(log, "w");
  const child = spawn(process.execPath, ["--import", "tsx", "--import", "@kiln/autograph/register", "sample.ts"], {
    cwd: dir,
    stdio: ["ignore", fd, fd],
    env: { ...process.env, NODE_OPTIONS: "", FORCE_COLOR: "0", NO_COLOR: "1" },
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (exit) => {
      closeSync(fd);
      resolve({ code: exit, output: readFileSync(log, "utf8") });
    });
  });
}

/** The compiler options guide samples are checked with: strict, as a TypeScript user's project on Node would be. */
const SAMPLE_COMPILER_OPTIONS = {
  strict: true,
  noEmit: true,
  module: "nodenext",
  moduleResolution: "nodenext",
  target: "ES2022",
  lib: ["ES2023", "DOM", "esnext.disposable"],
  types: [],
  skipLibCheck: true,
};

/**
 * Type-checks programs with `tsc` (strict, nodenext) in a folder `name` of `project`, one
 * module per program; resolves to tsc's error lines, each starting with the program's name.
 *
 * ```ts
 * await typecheckPrograms(project.dir, "typecheck", { line42: "const x: number = 'a';" }); // ["line42.ts(1,7): error TS2322: ..."]
 * ```
 */
export function typecheckPrograms(project: string, name: string, programs: Record<string, string>): Promise<string[]> {
  const dir = join(project, name);
  mkdirSync(dir);
  for (const [program, code] of Object.entries(programs)) writeFileSync(join(dir, `${program}.ts`), code);
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: SAMPLE_COMPILER_OPTIONS, include: ["*.ts"] }));
  const tsc = join(project, "node_modules/typescript/bin/tsc");
  const child = spawn(process.execPath, [tsc, "-p", dir, "--pretty", "false"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", () => resolve(output.split("\n").filter((line) => line.trim() !== "")));
  });
}
