#!/usr/bin/env node
/**
 * Builds the two WebAssembly binaries from csrc/ with Debian's emscripten (emcc 3.1.x):
 *
 *   wasm/kiln-simd.wasm          SIMD128, one thread, ordinary memory
 *   wasm/kiln-simd-threads.wasm  SIMD128 + atomics, shared memory, worker threads
 *
 * emcc compiles each C file; emscripten's own wasm-ld links them with emscripten's libc
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
 *   node scripts/build-wasm.mjs --needs-toolchain exit 0 when a build is needed and emcc is missing
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

/** The two variants: extra compile flags and link flags. */
const VARIANTS = [
  { file: "kiln-simd.wasm", cflags: [], ldflags: [], libc: "libc.a", rt: "libcompiler_rt.a" },
  {
    file: "kiln-simd-threads.wasm",
    cflags: ["-matomics", "-DKILN_THREADS"],
    ldflags: ["--shared-memory"],
    libc: "libc-mt.a",
    rt: "libcompiler_rt-mt.a",
  },
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

function hasEmcc() {
  const probe = spawnSync("emcc", ["--version"], {
    encoding: "utf8",
    env: { ...process.env, NODE_PATH: process.env.NODE_PATH ?? "/usr/share/nodejs" },
  });
  return probe.status === 0;
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

/** Compiles and links both variants into `dir`; returns the emcc version line. */
function build(dir) {
  const version = run("emcc", ["--version"]).split("\n")[0];
  const llvmRoot = run("em-config", ["LLVM_ROOT"]);
  const cache = run("em-config", ["CACHE"]);
  const lib = join(cache, "sysroot", "lib", "wasm32-emscripten");
  const wasmLd = [join(llvmRoot, "wasm-ld"), ...["14", "15", "16"].map((v) => join(llvmRoot, `wasm-ld-${v}`))].find(existsSync);
  if (wasmLd === undefined) throw new Error(`no wasm-ld next to emscripten's clang in ${llvmRoot}`);
  const work = mkdtempSync(join(tmpdir(), "kiln-wasm-"));
  try {
    for (const variant of VARIANTS) {
      const objects = sources()
        .filter((f) => f.endsWith(".c"))
        .map((file, i) => {
          const object = join(work, `${variant.file}.${i}.o`);
          run("emcc", ["-c", ...COMMON_FLAGS, ...variant.cflags, `-I${csrc}`, file, "-o", object]);
          return object;
        });
      run(wasmLd, [
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
  process.exit(!upToDate(hash) && !hasEmcc() ? 0 : 1);
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
  if (!hasEmcc()) {
    console.error(
      "backend-wasm: csrc/ changed, so the wasm binaries must be rebuilt, but emcc is missing: `apt-get install -y emscripten` (Debian), then `export NODE_PATH=/usr/share/nodejs`",
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
