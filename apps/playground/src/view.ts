import { toSvg } from "@kiln/graphviz";
import type { Analysis, TraceView } from "./analysis.js";
import { el, inlineSvg, part } from "./dom.js";

const ms = (value: number) => (value >= 10 ? value.toFixed(1) : value.toPrecision(2));

/** The calls table: arguments, result, and whether (and why) the call traced. */
function renderCalls(analysis: Analysis): void {
  const rows = analysis.calls.map((call, i) =>
    el(
      "tr",
      { "data-traced": String(call.traced), ...(call.failed ? { class: "failed" } : {}) },
      el("td", {}, String(i + 1)),
      el("td", {}, el("code", {}, call.args)),
      el("td", {}, el("pre", { "data-testid": "call-result" }, call.result)),
      el("td", { "data-testid": "call-reason" }, call.traced ? `traced: ${call.reason ?? ""}` : "cached"),
    ),
  );
  part("calls").replaceChildren(
    el("tr", {}, el("th", {}, "#"), el("th", {}, "arguments"), el("th", {}, "result"), el("th", {}, "trace")),
    ...rows,
  );
}

function renderTiming(analysis: Analysis): void {
  const timing = analysis.timing;
  if (timing === undefined) {
    part("timing").textContent = "not measured (the last call failed)";
    return;
  }
  const speedup = timing.eagerMs / timing.tracedMs;
  part("timing").replaceChildren(
    el("span", { "data-testid": "eager-ms" }, `eager ${ms(timing.eagerMs)} ms`),
    " vs ",
    el("span", { "data-testid": "traced-ms" }, `traced ${ms(timing.tracedMs)} ms`),
    ` per call (${timing.runs} runs on ${analysis.backend}, last call's arguments): traced is ${speedup.toFixed(1)}x ${speedup >= 1 ? "faster" : "slower"}`,
  );
}

/** Generated code of the fused kernels of a plan and the plans it calls. */
function renderKernels(trace: TraceView): void {
  const plans = [{ name: trace.plan.graph, summary: trace.plan }, ...trace.plan.functions];
  const blocks = plans.flatMap(({ name, summary }) =>
    summary.steps
      .filter((step) => step.source !== undefined)
      .map((step) =>
        el(
          "details",
          {},
          el("summary", {}, `${name}: fused ${step.ops.map((op) => op.type).join(" → ")} (${step.source!.language})`),
          el("pre", { class: "code" }, step.source!.code),
        ),
      ),
  );
  part("kernels").replaceChildren(...(blocks.length > 0 ? blocks : ["No fused kernels with generated code in this plan."]));
}

/** Draws one trace: its graph, signature, reason, optimized plan and generated kernels. */
export async function renderTrace(trace: TraceView): Promise<void> {
  part("trace-reason").textContent = trace.reason;
  part("signature").textContent = trace.signature;
  part("graph-text").textContent = trace.graphText;
  part("plan-text").textContent = String(trace.plan);
  renderKernels(trace);
  const [graph, plan] = await Promise.all([toSvg(trace.concreteFunction.graph), toSvg(trace.plan)]);
  part("graph").innerHTML = inlineSvg(graph);
  part("plan").innerHTML = inlineSvg(plan);
}

/**
 * Shows an analysis: calls, timings, signatures, warnings, and the latest trace drawn
 * (the trace picker switches to the others).
 */
export async function renderAnalysis(analysis: Analysis): Promise<void> {
  renderCalls(analysis);
  renderTiming(analysis);
  part("signatures").textContent = analysis.signatures || "(no traces)";
  part("messages").textContent = [...analysis.warnings.map((w) => `warning: ${w}`), ...analysis.printed].join("\n") || "(none)";
  const picker = part<HTMLSelectElement>("trace");
  picker.replaceChildren(...analysis.traces.map((trace, i) => el("option", { value: String(i) }, `trace ${i + 1}: ${trace.reason}`)));
  picker.onchange = () => void renderTrace(analysis.traces[Number(picker.value)]!);
  const latest = analysis.traces.length - 1;
  if (latest < 0) return;
  picker.value = String(latest);
  await renderTrace(analysis.traces[latest]!);
}
