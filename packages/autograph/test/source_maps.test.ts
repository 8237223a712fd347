import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixture, runWithLoader } from "./fixture_runs.js";

// Registering the loader hook turns on Node's source maps, so a stack trace through a
// converted module names the line the user wrote, in plain Node without
// --enable-source-maps. tsx turns them on for itself, so the child first turns them off
// again (test/fixtures/source_maps_off.mjs) to start like plain Node.

describe("stack traces of converted modules", () => {
  it("point at the original file:line in plain Node, without flags", () => {
    const lines = readFileSync(fixture("stack_app.mjs"), "utf8").split("\n");
    const line = lines.findIndex((l) => l.includes('throw new Error("thrown from converted code")')) + 1;
    const result = runWithLoader("stack_app.mjs", ["./test/fixtures/source_maps_off.mjs"]) as { sourceMaps: boolean; stack: string };
    expect(result.sourceMaps).toBe(true);
    const frame = result.stack.split("\n")[1]!;
    expect(frame).toMatch(new RegExp(`stack_app\\.mjs:${line}:\\d+\\)$`));
  }, 60_000);
});
