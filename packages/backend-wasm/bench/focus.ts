/**
 * Focused benchmark of the open targets (matMul 256/512/1024, exp/tanh/sigmoid on 1M
 * floats, the traced 10-op chain, the traced MLP training step with SGD and Adam), Kiln wasm
 * on one thread against tfjs-backend-wasm 4.22 and jax-js 0.1.25's wasm device (one thread
 * in Node; the chain and the MLP steps under `jit`), interleaved in one process. Reports
 * both wall time and process CPU time per run (CPU time excludes the time the OS gives to
 * other jobs on a shared machine; with one thread running it is that thread's time).
 * Two-thread rows report wall time only, twice: "cold", the call right after the other
 * libraries' calls (its worker asleep, woken by the call), and "hot", a second call straight
 * after it (the worker still spinning, as in a stream of kernels such as a training step).
 *
 * With `BASELINE=<folder>` holding this package's `src/` and `wasm/` from another commit
 * (inside the package, so that it shares this @kiln/core; `.baseline/` is git-ignored) the
 * same cases also run on that version, interleaved, for a before/after comparison in one
 * process. Binaries alone are not enough: kernel ids follow the generated key list in src.
 * `FOCUS=exp,chain` picks cases by name prefix. `BASELINE=plain` compares this package's plain
 * binaries (`relaxedSimd: false`) instead; with Node 20 run it as
 * `node --experimental-wasm-relaxed-simd --import tsx --conditions=source bench/focus.ts`, so
 * the default backends load the relaxed-SIMD binaries.
 *
 * ```sh
 * node --import tsx --conditions=source bench/focus.ts [rounds]
 * mkdir .baseline && git archive main src wasm | tar -x -C .baseline   # from packages/backend-wasm
 * BASELINE=.baseline node --import tsx --conditions=source bench/focus.ts 21
 * ```
 */
import { median, randomArray } from "./harness.js";
import { type JaxCase, jaxCase, jaxChain, jaxMatMul, jaxMlpStep, jaxUnary, setUpJax } from "./jax.js";
import type { WasmBackend } from "../src/index.js";
import { setUpBenchBackends, tf, tfjs } from "./setup.js";
import { makeMlpStep, makeTfjsMlpStep } from "./traced.js";

const rounds = Number(process.argv[2] ?? 9);
await setUpBenchBackends();
await setUpJax().catch((error: unknown) => console.log(`jax-js did not start: ${String(error)}`));
const baseline = process.env.BASELINE;
if (baseline !== undefined) {
  const { pathToFileURL } = await import("node:url");
  const { resolve } = await import("node:path");
  // BASELINE=plain: this package's plain SIMD128 binaries against the relaxed ones (run Node with the relaxed-SIMD flag).
  const { wasm } =
    baseline === "plain"
      ? await import("../src/index.js")
      : ((await import(pathToFileURL(resolve(baseline, "src/index.ts")).href)) as typeof import("../src/index.js"));
  const options = baseline === "plain" ? { relaxedSimd: false } : {};
  tf.registerBackend(wasm({ name: "base1", threads: 1, ...options }));
  tf.registerBackend(wasm({ name: "base2", ...options }));
}

interface Case {
  name: string;
  kiln: () => void;
  anchor?: () => void;
  /** jax-js's side, built only with the first (one-thread) set of cases. */
  jax?: JaxCase;
  flops?: number;
}

const n = 1 << 20;
const xv = randomArray(n, 6);
const yv = randomArray(n, 7);
function chain(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.tanh(tf.sigmoid(tf.sqrt(tf.abs(tf.sub(tf.exp(tf.neg(tf.relu(tf.mul(tf.add(x, y), 0.5)))), y)))));
}
function chainTfjs(x: tfjs.Tensor, y: tfjs.Tensor): tfjs.Tensor {
  return tfjs.tidy(() =>
    tfjs.tanh(tfjs.sigmoid(tfjs.sqrt(tfjs.abs(tfjs.sub(tfjs.exp(tfjs.neg(tfjs.relu(tfjs.mul(tfjs.add(x, y), 0.5)))), y))))),
  );
}
const sync = (t: tfjs.Tensor) => {
  t.dataSync();
  t.dispose();
};

/** The cases on the current Kiln backend; `withJax` also builds jax-js's side of each. */
async function cases(withJax: boolean): Promise<Case[]> {
  const out: Case[] = [];
  const jax = async (name: string, make: () => JaxCase) => (withJax ? await jaxCase(name, make) : undefined);
  const only = process.env.FOCUS?.split(",");
  const want = (name: string) => only === undefined || only.some((o) => name.startsWith(o));
  for (const size of [256, 512, 1024]) {
    if (!want(`matMul ${size}`)) continue;
    const a = tf.tensor(randomArray(size * size, 1), [size, size]);
    const b = tf.tensor(randomArray(size * size, 2), [size, size]);
    const ta = tfjs.tensor(randomArray(size * size, 1), [size, size]);
    const tb = tfjs.tensor(randomArray(size * size, 2), [size, size]);
    out.push({
      name: `matMul ${size}`,
      kiln: () => tf.matMul(a, b).dispose(),
      anchor: () => sync(tfjs.matMul(ta, tb)),
      jax: await jax(`matMul ${size}`, () => jaxMatMul(randomArray(size * size, 1), randomArray(size * size, 2), size)),
      flops: 2 * size ** 3,
    });
  }
  const x = tf.tensor(xv);
  const y = tf.tensor(yv);
  const tx = tfjs.tensor1d(xv);
  const ty = tfjs.tensor1d(yv);
  const unary: [string, (t: tf.Tensor) => tf.Tensor, (t: tfjs.Tensor) => tfjs.Tensor][] = [
    ["exp", tf.exp, tfjs.exp],
    ["tanh", tf.tanh, tfjs.tanh],
    ["sigmoid", tf.sigmoid, tfjs.sigmoid],
  ];
  for (const [name, k, t] of unary) {
    if (want(name)) {
      out.push({
        name: `${name} 1M`,
        kiln: () => k(x).dispose(),
        anchor: () => sync(t(tx)),
        jax: await jax(name, () => jaxUnary(name, xv)),
      });
    }
  }
  if (want("chain")) {
    const f = tf.function(chain);
    out.push({
      name: "chain 1M",
      kiln: () => (f(x, y) as tf.Tensor).dispose(),
      anchor: () => sync(chainTfjs(tx, ty)),
      jax: await jax("chain", () => jaxChain(xv, yv)),
    });
  }
  for (const optimizer of ["sgd", "adam"] as const) {
    if (!want(`mlp ${optimizer}`)) continue;
    out.push({
      name: `mlp ${optimizer}`,
      kiln: makeMlpStep(optimizer),
      anchor: makeTfjsMlpStep(optimizer),
      jax: await jax(`mlp ${optimizer}`, () => jaxMlpStep(optimizer)),
    });
  }
  return out;
}

const variants: string[] = [];
/** Makes `backend` current and notes which binary it runs. */
async function use(backend: string): Promise<void> {
  await tf.setBackend(backend);
  variants.push(`${backend} ${(tf.backend() as WasmBackend).info.variant}`);
}
await use("wasm1");
const one = await cases(true);
await use("wasm");
const two = await cases(false);
let baseOne: Case[] = [];
let baseTwo: Case[] = [];
if (baseline !== undefined) {
  await use("base1");
  baseOne = await cases(false);
  await use("base2");
  baseTwo = await cases(false);
}
console.log(`binaries: ${variants.join(", ")}`);

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
type Sample = { wall: number; cpu: number };
const time = async (backend: string | undefined, fn: () => unknown): Promise<Sample> => {
  if (backend !== undefined) await tf.setBackend(backend);
  const c0 = cpuMs();
  const t0 = performance.now();
  await fn();
  return { wall: performance.now() - t0, cpu: cpuMs() - c0 };
};

console.log(
  `rounds ${rounds}; load ${(await import("node:os"))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
console.log(
  `case            | wasm1 wall / cpu        | wasm2 wall cold / hot | tfjs wall / cpu        | tfjs/wasm1 (cpu) | jax-js wall / cpu      | jax-js/wasm1 (cpu)${baseline === undefined ? "" : " | baseline wasm1 cpu | baseline wasm2 wall | baseline/new 1 thread (cpu), 2 threads (wall)"}`,
);
for (let i = 0; i < one.length; i++) {
  const c1 = one[i]!;
  const c2 = two[i]!;
  const b1 = baseOne[i];
  const b2 = baseTwo[i];
  for (let w = 0; w < 3; w++) {
    await time("wasm1", c1.kiln);
    await time("wasm", c2.kiln);
    if (c1.anchor) await time(undefined, c1.anchor);
    if (c1.jax?.run) await time(undefined, c1.jax.run);
    if (b1 && b2) {
      await time("base1", b1.kiln);
      await time("base2", b2.kiln);
    }
  }
  const s1: Sample[] = [];
  const s2: Sample[] = [];
  const s2hot: Sample[] = [];
  const st: Sample[] = [];
  const sj: Sample[] = [];
  const sb1: Sample[] = [];
  const sb2: Sample[] = [];
  // Two-thread samples first, then a one-thread anchor: a worker spins for a while after
  // its job, and the one-thread samples' process CPU time must not count that spinning.
  for (let r = 0; r < rounds; r++) {
    s2.push(await time("wasm", c2.kiln));
    s2hot.push(await time(undefined, c2.kiln));
    if (b2) sb2.push(await time("base2", b2.kiln));
    if (c1.anchor) st.push(await time(undefined, c1.anchor));
    if (c1.jax?.run) sj.push(await time(undefined, c1.jax.run));
    s1.push(await time("wasm1", c1.kiln));
    if (b1) sb1.push(await time("base1", b1.kiln));
  }
  const m = (s: Sample[], k: keyof Sample) => median(s.map((v) => v[k]));
  const fmt = (ms: number) => (c1.flops ? `${ms.toFixed(2)} (${(c1.flops / ms / 1e6).toFixed(1)} GF/s)` : ms.toFixed(3));
  const base =
    b1 && b2
      ? ` | ${fmt(m(sb1, "cpu"))} | ${fmt(m(sb2, "wall"))} | ${(m(sb1, "cpu") / m(s1, "cpu")).toFixed(2)}x, ${(m(sb2, "wall") / m(s2, "wall")).toFixed(2)}x`
      : "";
  const jax = c1.jax?.run
    ? `${fmt(m(sj, "wall"))} / ${fmt(m(sj, "cpu"))} | ${(m(sj, "cpu") / m(s1, "cpu")).toFixed(2)}x`
    : `n/a (${c1.jax?.error ?? "not run"})`;
  console.log(
    `${c1.name.padEnd(15)} | ${fmt(m(s1, "wall"))} / ${fmt(m(s1, "cpu"))} | ${fmt(m(s2, "wall"))} / ${fmt(m(s2hot, "wall"))} | ${fmt(m(st, "wall"))} / ${fmt(m(st, "cpu"))} | ${(m(st, "cpu") / m(s1, "cpu")).toFixed(2)}x | ${jax}${base}`,
  );
  c1.jax?.dispose();
}
process.exit(0);
