/**
 * Fused multiply-add for the transcendental kernels, measured: builds bench/relaxed_fma.c
 * twice with clang-19 (SIMD128 mul + add, and relaxed SIMD's f32x4.relaxed_madd) and times
 * exp, sigmoid, tanh and the 10-op chain on 1M floats, both builds interleaved in one
 * process, one thread. Needs Debian's clang-19 and lld-19 (`apt-get install -y clang-19
 * lld-19`) and emscripten's sysroot headers; Node 20 runs relaxed SIMD only with
 * `--experimental-wasm-relaxed-simd`, so the script restarts itself with that flag.
 *
 * ```sh
 * node --import tsx --conditions=source bench/relaxed_fma.ts [rounds]
 * ```
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, randomArray } from "./harness.js";

const FLAG = "--experimental-wasm-relaxed-simd";
const SYSROOT = "/usr/share/emscripten/cache/sysroot";
const rounds = Number(process.argv[2] ?? 41);
const here = dirname(fileURLToPath(import.meta.url));

function has(tool: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
}

/** Compiles bench/relaxed_fma.c into a standalone module (its own memory, no imports). */
function build(name: string, relaxed: boolean): Uint8Array<ArrayBuffer> {
  const dir = join(tmpdir(), "kiln-relaxed-fma");
  mkdirSync(dir, { recursive: true });
  const object = join(dir, `${name}.o`);
  const module = join(dir, `${name}.wasm`);
  const features = relaxed ? ["-mrelaxed-simd", "-DKILN_RELAXED_MADD"] : [];
  execFileSync("clang-19", [
    "--target=wasm32-unknown-emscripten",
    `--sysroot=${SYSROOT}`,
    "-O3",
    "-msimd128",
    ...features,
    "-c",
    join(here, "relaxed_fma.c"),
    "-o",
    object,
  ]);
  execFileSync("wasm-ld-19", ["--no-entry", "--gc-sections", "--initial-memory=67108864", object, "-o", module]);
  return new Uint8Array(readFileSync(module));
}

if (!has("clang-19") || !has("wasm-ld-19") || !existsSync(SYSROOT)) {
  console.log("relaxed_fma: needs clang-19, lld-19 (apt-get install -y clang-19 lld-19) and emscripten's sysroot; skipped");
  process.exit(0);
}
const plain = build("plain", false);
const fused = build("fma", true);
if (!WebAssembly.validate(fused)) {
  if (process.execArgv.includes(FLAG)) throw new Error("relaxed_fma: this Node does not run relaxed SIMD even with the flag");
  const rerun = spawnSync(process.execPath, [...process.execArgv, FLAG, ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(rerun.status ?? 1);
}

interface Build {
  readonly exports: Record<string, (...args: number[]) => void>;
  readonly heap: Float32Array;
}

const n = 1 << 20;
// Byte offsets of four 1M-float arrays, from 4 MB up (the module's own data and stack sit below).
const [x, y, out, scratch] = [1, 2, 3, 4].map((k) => k * 4 * n) as [number, number, number, number];
async function load(bytes: Uint8Array<ArrayBuffer>): Promise<Build> {
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes));
  const heap = new Float32Array((instance.exports.memory as WebAssembly.Memory).buffer);
  heap.set(randomArray(n, 6), x / 4);
  heap.set(randomArray(n, 7), y / 4);
  return { exports: instance.exports as Build["exports"], heap };
}
const builds = { "mul + add": await load(plain), relaxed_madd: await load(fused) };

const cases: Record<string, (b: Build) => void> = {
  "exp 1M": (b) => b.exports.exp!(x, scratch, n),
  "sigmoid 1M": (b) => b.exports.sigmoid!(x, scratch, n),
  "tanh 1M": (b) => b.exports.tanh!(x, scratch, n),
  "10-op chain 1M": (b) => b.exports.chain!(x, y, out, n),
};
console.log(`${process.version}, ${rounds} rounds, one thread, medians (ms)`);
console.log("case            | mul + add | relaxed_madd | speed-up");
for (const [name, run] of Object.entries(cases)) {
  const times: Record<string, number[]> = { "mul + add": [], relaxed_madd: [] };
  for (let r = 0; r < rounds + 5; r++) {
    for (const [label, b] of Object.entries(builds)) {
      const t0 = performance.now();
      run(b);
      if (r >= 5) times[label]!.push(performance.now() - t0);
    }
  }
  const [a, f] = [median(times["mul + add"]!), median(times.relaxed_madd!)];
  console.log(`${name.padEnd(15)} | ${a.toFixed(3).padStart(9)} | ${f.toFixed(3).padStart(12)} | ${(a / f).toFixed(2)}x`);
}
let worst = 0;
for (let i = 0; i < n; i++) {
  const [a, f] = [builds["mul + add"].heap[out / 4 + i]!, builds.relaxed_madd.heap[out / 4 + i]!];
  worst = Math.max(worst, Math.abs(a - f) / Math.abs(a));
}
console.log(`chain outputs, relaxed_madd against mul + add: largest relative difference ${worst.toExponential(2)}`);
