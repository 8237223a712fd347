#!/usr/bin/env node
/**
 * Builds the four WebAssembly binaries from csrc/:
 *
 *   wasm/kiln-simd.wasm                  SIMD128, one thread, ordinary memory
 *   wasm/kiln-simd-threads.wasm          SIMD128 + atomics, shared memory, worker threads
 *   wasm/kiln-relaxed-simd.wasm          the first, plus relaxed SIMD's fused multiply-add
 *   wasm/kiln-relaxed-simd-threads.wasm  the second, plus relaxed SIMD's fused multiply-add
 *
 * The first two are compiled by Debian's emscripten (emcc 3.1.x), the relaxed ones by
 * Debian's clang-19 (emscripten's clang 14 cannot emit relaxed SIMD) with emscripten's
 * sysroot headers and KILN_RELAXED_MADD (csrc/simd_math.h: polynomials use
 * f32x4.relaxed_madd). Each variant's wasm-ld links the objects with emscripten's libc
 * (math functions only) into a module that imports its memory and nothing else, so the
 * package's small TS loader instantiates it without emscripten's JS glue (which cannot
 * combine a standalone module with threads in 3.1.x).
 *
 * The binaries are committed, with a stamp of the hash of everything they are built from
 * (sources, flags, compiler version), so installing or testing the package needs no
 * toolchain. Usage:
 *
 *   node scripts/build-wasm.mjs                   build when the stamp is stale (needs emcc then)
 *   node scripts/build-wasm.mjs --force           always build
 *   node scripts/build-wasm.mjs --verify          rebuild into a temporary folder and fail unless
 *                                                 the result equals the committed binaries (CI)
 *   node scripts/build-wasm.mjs --needs-toolchain exit 0 when a build is needed and emcc or clang-19 is missing
 *   node scripts/build-wasm.mjs --check-stamp     exit 1 when the committed binaries are stale (no emcc needed)
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const csrc = join(packageDir, "csrc");
const outDir = join(packageDir, "wasm");
const stampPath = join(outDir, "build-stamp.json");

/** Compiler flags shared by both variants. -O3 with SIMD128, bulk memory and saturating float->int. */
const COMMON_FLAGS = [
  "-O3",
  "-msimd128",
  "-mbulk-memory",
  "-mnontrapping-fptoint",
  "-mmutable-globals",
  "-fno-math-errno",
  "-Wall",
  "-Werror",
];

/** Compile flags of the relaxed-SIMD variants (clang-19). */
const RELAXED = ["-mrelaxed-simd", "-DKILN_RELAXED_MADD"];
const THREADS = { cflags: ["-matomics", "-DKILN_THREADS"], ldflags: ["--shared-memory"], libc: "libc-mt.a", rt: "libcompiler_rt-mt.a" };
const ONE_THREAD = { cflags: [], ldflags: [], libc: "libc.a", rt: "libcompiler_rt.a" };

/** The four variants: compiler, extra compile flags and link flags. */
const VARIANTS = [
  { file: "kiln-simd.wasm", compiler: "emcc", ...ONE_THREAD },
  { file: "kiln-simd-threads.wasm", compiler: "emcc", ...THREADS },
  { file: "kiln-relaxed-simd.wasm", compiler: "clang-19", ...ONE_THREAD, cflags: RELAXED },
  { file: "kiln-relaxed-simd-threads.wasm", compiler: "clang-19", ...THREADS, cflags: [...THREADS.cflags, ...RELAXED] },
];

const LINK_FLAGS = [
  "--no-entry",
  "--import-memory",
  "--max-memory=4294967296",
  "--initial-memory=2097152",
  "--stack-first",
  "-z",
  "stack-size=1048576",
  "--export=__stack_pointer",
  "--export=__heap_base",
  "--strip-debug",
  "--gc-sections",
];

function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    env: { ...process.env, NODE_PATH: process.env.NODE_PATH ?? "/usr/share/nodejs" },
    ...options,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    process.stderr.write(result.stdout ?? "");
    process.stderr.write(result.stderr ?? "");
    throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status})`);
  }
  return result.stdout.trim();
}

function works(command) {
  const probe = spawnSync(command, ["--version"], {
    encoding: "utf8",
    env: { ...process.env, NODE_PATH: process.env.NODE_PATH ?? "/usr/share/nodejs" },
  });
  return probe.status === 0;
}

/** Whether every compiler and linker the variants need is installed. */
function hasToolchain() {
  return ["emcc", "clang-19", "wasm-ld-19"].every(works);
}

/** Every C source and header under csrc (generated ones included), sorted for a stable hash. */
function sources() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(c|h|inc)$/.test(entry.name)) files.push(path);
    }
  };
  walk(csrc);
  return files;
}

/** The hash of everything a binary depends on except the compiler (recorded beside it). */
function inputHash() {
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ COMMON_FLAGS, VARIANTS, LINK_FLAGS }));
  for (const file of sources()) {
    hash.update(file.slice(packageDir.length));
    hash.update(readFileSync(file));
  }
  return hash.digest("hex");
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(stampPath, "utf8"));
  } catch {
    return undefined;
  }
}

function upToDate(hash) {
  const stamp = readStamp();
  return stamp?.inputs === hash && VARIANTS.every((v) => existsSync(join(outDir, v.file)));
}

/**
 * Each compiler's command line for one C file, and its linker: emcc with emscripten's own
 * wasm-ld, or clang-19 for emscripten's target with emscripten's sysroot and wasm-ld-19.
 */
function toolchains() {
  const llvmRoot = run("em-config", ["LLVM_ROOT"]);
  const sysroot = join(run("em-config", ["CACHE"]), "sysroot");
  const emscriptenLd = [join(llvmRoot, "wasm-ld"), ...["14", "15", "16"].map((v) => join(llvmRoot, `wasm-ld-${v}`))].find(existsSync);
  if (emscriptenLd === undefined) throw new Error(`no wasm-ld next to emscripten's clang in ${llvmRoot}`);
  return {
    lib: join(sysroot, "lib", "wasm32-emscripten"),
    emcc: { compile: ["emcc", ["-c"]], link: emscriptenLd },
    "clang-19": { compile: ["clang-19", ["--target=wasm32-unknown-emscripten", `--sysroot=${sysroot}`, "-c"]], link: "wasm-ld-19" },
  };
}

/** Compiles and links every variant into `dir`; returns the compilers' version lines. */
function build(dir) {
  const version = `${run("emcc", ["--version"]).split("\n")[0]}; ${run("clang-19", ["--version"]).split("\n")[0]}`;
  const tools = toolchains();
  const lib = tools.lib;
  const work = mkdtempSync(join(tmpdir(), "kiln-wasm-"));
  try {
    for (const variant of VARIANTS) {
      const { compile, link } = tools[variant.compiler];
      const objects = sources()
        .filter((f) => f.endsWith(".c"))
        .map((file, i) => {
          const object = join(work, `${variant.file}.${i}.o`);
          run(compile[0], [...compile[1], ...COMMON_FLAGS, ...variant.cflags, `-I${csrc}`, file, "-o", object]);
          return object;
        });
      run(link, [
        ...LINK_FLAGS,
        ...variant.ldflags,
        ...objects,
        join(lib, variant.libc),
        join(lib, variant.rt),
        "-o",
        join(dir, variant.file),
      ]);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return version;
}

const mode = process.argv[2] ?? "";
const hash = inputHash();
if (mode === "--check-stamp") {
  if (!upToDate(hash))
    console.error("backend-wasm: wasm/ is stale: csrc/ changed since the binaries were built (run `pnpm build` and commit wasm/)");
  process.exit(upToDate(hash) ? 0 : 1);
} else if (mode === "--needs-toolchain") {
  process.exit(!upToDate(hash) && !hasToolchain() ? 0 : 1);
} else if (mode === "--verify") {
  if (!upToDate(hash)) {
    console.error("backend-wasm: wasm/ is stale: its build stamp does not match csrc/ (run `pnpm build` and commit wasm/)");
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), "kiln-wasm-verify-"));
  try {
    build(dir);
    const different = VARIANTS.filter((v) => !readFileSync(join(dir, v.file)).equals(readFileSync(join(outDir, v.file))));
    if (different.length > 0) {
      console.error(
        `backend-wasm: rebuilt ${different.map((v) => v.file).join(", ")} differ from the committed binaries (rebuild with --force and commit)`,
      );
      process.exit(1);
    }
    console.log("backend-wasm: committed binaries equal a fresh build of csrc/");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else if (mode === "--force" || !upToDate(hash)) {
  if (!hasToolchain()) {
    console.error(
      "backend-wasm: csrc/ changed, so the wasm binaries must be rebuilt, but emcc, clang-19 or wasm-ld-19 is missing: `apt-get install -y emscripten clang-19 lld-19` (Debian), then `export NODE_PATH=/usr/share/nodejs`",
    );
    process.exit(1);
  }
  mkdirSync(outDir, { recursive: true });
  const compiler = build(outDir);
  writeFileSync(stampPath, `${JSON.stringify({ inputs: hash, compiler }, null, 2)}\n`);
  console.log(`backend-wasm: built ${VARIANTS.map((v) => v.file).join(", ")} with ${compiler}`);
} else {
  console.log("backend-wasm: wasm binaries are up to date with csrc/");
}
