/**
 * The Kiln playground page: an editor with a program, a backend picker and a Run button.
 * Running loads the program (AutoGraph applied), calls its function, and shows the calls,
 * why each traced, the graph and optimized plan as pictures, signatures, generated kernels
 * and eager vs traced timings.
 */
import * as tf from "@kiln/core";
import { loadGraphviz } from "@kiln/graphviz";
import { analyze } from "./analysis.js";
import { backendDetails, registerBackends } from "./backends.js";
import { el, part } from "./dom.js";
import { createEditor } from "./editor.js";
import { EXAMPLES } from "./examples.js";
import { loadProgram } from "./program.js";
import { renderAnalysis } from "./view.js";

const status = part("status");
const errorBox = part("error");
const exampleSelect = part<HTMLSelectElement>("example");
const backendSelect = part<HTMLSelectElement>("backend");
const runButton = part<HTMLButtonElement>("run");

function setStatus(state: "loading" | "ready" | "running" | "done" | "failed", text: string): void {
  status.dataset.state = state;
  status.textContent = text;
}

async function run(): Promise<void> {
  runButton.disabled = true;
  errorBox.hidden = true;
  setStatus("running", "running…");
  const started = performance.now();
  try {
    await tf.setBackend(backendSelect.value);
    const analysis = await analyze(await loadProgram(editor.text));
    await renderAnalysis(analysis);
    part("backend-details").textContent = backendDetails();
    setStatus("done", `done on ${analysis.backend} in ${Math.round(performance.now() - started)} ms`);
  } catch (error) {
    errorBox.hidden = false;
    errorBox.textContent = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    setStatus("failed", "failed");
  } finally {
    runButton.disabled = false;
  }
}

exampleSelect.append(...EXAMPLES.map((e) => el("option", { value: e.id }, e.title)));
const editor = createEditor(part("editor"), EXAMPLES[0]!.source, () => void run());
exampleSelect.onchange = () => {
  editor.setText(EXAMPLES.find((e) => e.id === exampleSelect.value)!.source);
  void run();
};
runButton.onclick = () => void run();

setStatus("loading", "loading…");
const backends = await registerBackends();
backendSelect.append(...backends.map((name) => el("option", { value: name }, name)));
await loadGraphviz();
part("isolation").textContent = globalThis.crossOriginIsolated
  ? "cross-origin isolated (SharedArrayBuffer for wasm threads)"
  : "not cross-origin isolated";
setStatus("ready", "ready");
// ?run runs the first example at once (what the browser test and shared links use).
if (new URLSearchParams(location.search).has("run")) void run();
