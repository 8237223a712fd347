import { readFileSync } from "node:fs";
import { format } from "node:util";
import { describe, expect, it, vi } from "vitest";
import "./tfjs.js"; // tfjs's oracle set-up: gradients registered, no "install tfjs-node" banner
import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js";

// tfjs programs ported by changing their imports only: each `<name>.tfjs.mjs` in tfjs_ports/
// runs on tfjs, each `<name>.kiln.mjs` is the same file with the import lines mapped below
// (checked here line by line), and both run in this process with their console output
// captured. (tfjs's @tensorflow/tfjs bundle registers chained ops and gradients itself; with
// the split packages used here the test imports them, as tfjs.ts does for the oracle.)

/** tfjs package -> the Kiln import that replaces it. */
const IMPORTS: Record<string, string> = {
  'import * as tf from "@tensorflow/tfjs-core";': 'import * as tf from "@kiln/core";',
  'import "@tensorflow/tfjs-backend-cpu";': 'import "@kiln/backend-cpu/register";',
  'import * as tfl from "@tensorflow/tfjs-layers";': 'import * as tfl from "@kiln/keras";',
};

const programPath = (name: string, flavour: "tfjs" | "kiln") => new URL(`./tfjs_ports/${name}.${flavour}.mjs`, import.meta.url);

/** What a program prints, line by line: console.log as Node formats it, and direct stdout writes (progress bars). */
interface Output {
  readonly printed: string;
  readonly warnings: string[];
}

async function run(name: string, flavour: "tfjs" | "kiln"): Promise<Output> {
  const printed: string[] = [];
  const warnings: string[] = [];
  const spies = [
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void printed.push(`${format(...args)}\n`)),
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    }),
    vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => void warnings.push(format(...args))),
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void warnings.push(format(...args))),
  ];
  try {
    await import(/* @vite-ignore */ programPath(name, flavour).href);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return { printed: printed.join(""), warnings };
}

function expectImportOnlyPort(name: string): void {
  const original = readFileSync(programPath(name, "tfjs"), "utf8").split("\n");
  const port = readFileSync(programPath(name, "kiln"), "utf8").split("\n");
  expect(port.length).toBe(original.length);
  const changed = original.flatMap((line, i) => (line === port[i] ? [] : [[line, port[i]]]));
  expect(changed.length).toBeGreaterThan(0);
  for (const [from, to] of changed) expect(IMPORTS[from!], `line '${from}' changed to '${to}'`).toBe(to);
}

describe("tfjs programs ported by changing the import only", () => {
  it("tfjs's guide 'Tensors and operations': the port prints exactly what tfjs prints", async () => {
    expectImportOnlyPort("tensors_and_operations");
    const tfjs = await run("tensors_and_operations", "tfjs");
    const kiln = await run("tensors_and_operations", "kiln");
    expect(kiln.printed).toBe(tfjs.printed);
    expect(kiln.printed).toContain("Tensor\n    [11, 22, 33, 44]\n");
    expect(kiln.printed).toContain("tensors kept: 2\n");
    expect(kiln.warnings).toEqual([]);
  });

  it("tfjs's API examples for tensor1d..tensor6d, tf.variable as a tensor, print, tf.util, tf.nextFrame: the same output", async () => {
    expectImportOnlyPort("api_examples");
    const tfjs = await run("api_examples", "tfjs");
    const kiln = await run("api_examples", "kiln");
    expect(kiln.printed).toBe(tfjs.printed);
    expect(kiln.printed).toContain("the check failed\nafter nextFrame\n");
    expect(kiln.warnings).toEqual([]);
  });

  it("tfjs's getting-started linear regression (Layers API): trains and predicts; Kiln's fit also prints Keras's progress bar", async () => {
    expectImportOnlyPort("getting_started");
    const tfjs = await run("getting_started", "tfjs");
    const kiln = await run("getting_started", "kiln");
    // Weights start random (and tfjs's and Kiln's random streams differ), so the two
    // predictions differ; both are one finite value printed in tfjs's format.
    const prediction = /Tensor\n {5}\[\[(-?[\d.e+-]+)\],\]\n$/;
    expect(tfjs.printed).toMatch(prediction);
    expect(kiln.printed).toMatch(prediction);
    expect(Number.isFinite(Number(prediction.exec(kiln.printed)![1]))).toBe(true);
    const losses = [...kiln.printed.matchAll(/loss: ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(losses).toHaveLength(10);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    expect(kiln.printed).toMatch(/^Epoch 1\/10\n/);
    expect(kiln.warnings).toEqual([]);
    expect(tfjs.warnings).toEqual([]);
  });
});
