/**
 * Picks the fastest backend this machine offers, in the order webgpu (a hardware adapter
 * only), wasm, cpu, and says why each faster one was passed over. Every backend it tries is
 * registered; cpu always is (the fallback and the oracle), so later code can swap to it.
 *
 * ```js
 * const choice = await pickFastestBackend(tf);
 * console.log(choice.name, choice.why, choice.skipped); // "wasm", "WebAssembly SIMD128, 2 threads", [{ name: "webgpu", why: "..." }]
 * ```
 */
import { spawnSync } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { cpu } from "@kiln/backend-cpu";
import { wasm } from "@kiln/backend-wasm";

/** Why a thrown error stopped a backend: the backend's own error when core wrapped it. */
function reasonOf(error) {
  const cause = error?.cause instanceof Error ? error.cause : error;
  return String(cause?.message ?? cause).split("\n")[0];
}

// The probe run in a child process: opens webgpu and prints what kind of adapter it got.
const PROBE = `
import * as tf from "@kiln/core";
import { webgpu } from "@kiln/backend-webgpu";
const why = (e) => String((e?.cause instanceof Error ? e.cause : e)?.message ?? e).split("\\n")[0];
try {
  tf.registerBackend(webgpu());
  await tf.setBackend("webgpu");
  const details = tf.backend().caps?.details ?? {};
  console.log(JSON.stringify({ ok: true, software: details.software === true, adapter: details.adapter ?? "unknown" }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, why: why(error) }));
}
process.exit(0);
`;

/**
 * Asks a child process whether webgpu opens a hardware adapter. Dawn probes the machine's
 * Vulkan drivers when it starts and writes warnings straight to the process's stderr where
 * there is no GPU driver; probing in a child keeps them off the demo's terminal, and the
 * demo loads webgpu itself only where there is a GPU to use.
 */
function probeWebgpu() {
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", PROBE], {
    cwd: dirname(fileURLToPath(import.meta.url)),
    encoding: "utf8",
    timeout: 60_000,
  });
  try {
    return JSON.parse(run.stdout.trim().split("\n").at(-1));
  } catch {
    const reason = run.stderr?.trim().split("\n")[0] || `exit code ${run.status}`;
    if (/ERR_MODULE_NOT_FOUND|Cannot find package/.test(run.stderr ?? "")) return { ok: false, why: "@kiln/backend-webgpu is not installed" };
    return { ok: false, why: `the WebGPU probe did not answer (${reason})` };
  }
}

/**
 * Tries webgpu: the package must provide a backend, setBackend must open a device, and the
 * adapter must be a GPU (SwiftShader or llvmpipe run WGSL on the CPU, slower than wasm).
 * Unless `forced`, a child process checks that first (see `probeWebgpu`). Resolves to
 * `{ ok: true, why }` or `{ ok: false, why }`; on failure webgpu is not active.
 */
async function tryWebgpu(tf, forced = false) {
  if (!forced) {
    const probe = probeWebgpu();
    if (!probe.ok) return { ok: false, why: `no WebGPU device: ${probe.why}` };
    if (probe.software) return { ok: false, why: `the only adapter is a software renderer (${probe.adapter}), slower than wasm on a CPU` };
  }
  let webgpuPackage;
  try {
    webgpuPackage = await import("@kiln/backend-webgpu");
  } catch (error) {
    if (error?.code === "ERR_MODULE_NOT_FOUND")
      return { ok: false, why: "this build of @kiln/backend-webgpu has no backend yet (the package has no entry point)" };
    return { ok: false, why: `@kiln/backend-webgpu could not be loaded (${reasonOf(error)})` };
  }
  if (typeof webgpuPackage.webgpu !== "function") {
    return { ok: false, why: "this build of @kiln/backend-webgpu has no backend yet" };
  }
  tf.registerBackend(webgpuPackage.webgpu());
  try {
    await tf.setBackend("webgpu");
  } catch (error) {
    tf.removeBackend("webgpu");
    return { ok: false, why: `no WebGPU device: ${reasonOf(error)}` };
  }
  const details = tf.backend().caps?.details ?? {};
  if (details.software === true) {
    return {
      ok: false,
      software: true,
      why: `the only adapter is a software renderer (${details.adapter ?? "unknown"}), slower than wasm on a CPU`,
    };
  }
  return { ok: true, why: `hardware adapter: ${details.adapter ?? "unknown"}` };
}

/** Tries wasm; resolves to `{ ok, why }`. */
async function tryWasm(tf) {
  tf.registerBackend(wasm());
  try {
    await tf.setBackend("wasm");
  } catch (error) {
    return { ok: false, why: `WebAssembly did not start: ${reasonOf(error)}` };
  }
  const { variant, threads, threadsUnavailable } = tf.backend().info;
  const simd = variant.startsWith("relaxed-") ? "SIMD128 with fused multiply-add (relaxed SIMD)" : "SIMD128";
  const threading = threads > 1 ? `${threads} worker threads` : `1 thread${threadsUnavailable ? ` (${threadsUnavailable})` : ""}`;
  return { ok: true, why: `C kernels compiled to WebAssembly, ${simd}, ${threading}` };
}

/**
 * Registers the backends and activates the fastest. `only` forces one ("webgpu", "wasm" or
 * "cpu"; failing to start it is an error). Resolves to `{ name, why, skipped }`.
 */
export async function pickFastestBackend(tf, { only } = {}) {
  tf.registerBackend(cpu());
  const candidates = { webgpu: tryWebgpu, wasm: tryWasm };
  if (only !== undefined && only !== "cpu" && !(only in candidates)) {
    throw new TypeError(`pickFastestBackend: unknown backend '${only}'; valid: webgpu, wasm, cpu`);
  }
  const order = only === undefined ? ["webgpu", "wasm"] : only === "cpu" ? [] : [only];
  const skipped = [];
  for (const name of order) {
    const result = await candidates[name](tf, only === name);
    if (result.ok || (result.software && only === name)) return { name, why: result.why, skipped };
    if (only !== undefined) throw new Error(`the ${name} backend was asked for but cannot run here: ${result.why}`);
    skipped.push({ name, why: result.why });
    // A software webgpu device is open: leave it for the next candidate, then drop it.
    if (result.software) {
      const next = await tryWasm(tf);
      tf.removeBackend("webgpu");
      if (next.ok) return { name: "wasm", why: next.why, skipped };
      skipped.push({ name: "wasm", why: next.why });
      break;
    }
  }
  await tf.setBackend("cpu");
  return { name: "cpu", why: "reference kernels in TypeScript (generated JS loops)", skipped };
}
