import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { describe, expect, inject, it } from "vitest";
import { binPath } from "../src/bin.js";

// Each tarball is linted as published: publint in strict mode (warnings are errors; we also
// allow no suggestions) and arethetypeswrong over every entry point and resolution mode.

const packed = inject("packed");
const attw = binPath("@arethetypeswrong/cli", "attw");

describe.concurrent.each(packed.map((p) => [p.name, p] as const))("%s, packed", (_, { tarball }) => {
  it("is clean under publint --strict (no errors, warnings or suggestions)", async () => {
    const data = readFileSync(tarball);
    const { messages, pkg } = await publint({
      pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer },
      strict: true,
      level: "suggestion",
    });
    expect(messages.map((message) => `${message.type}: ${formatMessage(message, pkg)}`)).toEqual([]);
  });

  it("is clean under arethetypeswrong (types resolve like the JavaScript in node10, node16 and bundlers)", async () => {
    // One rule is off, on purpose: attw models Node before require(esm) (its issue #252), so
    // it reports every ESM-only package's require() as "CJS resolves to ESM". Node 20.19+
    // loads these packages with require(), and TypeScript's nodenext accepts it: the
    // consumer tests check both on the packed packages.
    const args = [attw, tarball, "--format", "json", "--ignore-rules", "cjs-resolves-to-esm"];
    const result = await promisify(execFile)(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 }).catch((error) => error);
    const { problems } = (JSON.parse(result.stdout) as { analysis: { problems: { kind: string; resolutionKind?: string }[] } }).analysis;
    const requireOfEsm = (p: { kind: string; resolutionKind?: string }) => p.kind === "CJSResolvesToESM" && p.resolutionKind === "node16-cjs";
    expect(problems.filter((p) => !requireOfEsm(p))).toEqual([]);
    expect(result.code ?? 0, result.stderr).toBe(0);
  });
});
