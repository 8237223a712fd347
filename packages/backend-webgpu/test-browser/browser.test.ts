import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@kiln/core";
import { cpu } from "@kiln/backend-cpu";
import { expectClose } from "@kiln/conformance";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { program } from "./fixture/program.js";

/**
 * The webgpu backend in a real browser: headless Chromium (Debian's `chromium`, driven by
 * playwright-core; never a downloaded browser) with `--enable-unsafe-webgpu`, which gives
 * WebGPU on SwiftShader without a GPU. A page bundled from the packages runs a traced
 * function with control flow and the numbers are checked against the cpu oracle in Node.
 */
const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--no-sandbox",
  "--enable-unsafe-webgpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--disable-dev-shm-usage",
];
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };
const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const name = (request.url ?? "/").split("?")[0] === "/" ? "index.html" : request.url!.split("?")[0]!;
    const path = normalize(join(dir, name));
    if (!path.startsWith(dir) || !existsSync(path)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(readFileSync(path));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })),
  );
}

if (!existsSync(CHROMIUM)) console.warn(`SKIPPING the browser test: ${CHROMIUM} is missing (apt-get install chromium)`);

describe.runIf(existsSync(CHROMIUM))("webgpu in headless Chromium", () => {
  const outDir = mkdtempSync(join(tmpdir(), "kiln-webgpu-browser-"));
  beforeAll(async () => {
    await build({
      root: packageDir,
      base: "./",
      configFile: false,
      logLevel: "silent",
      resolve: { conditions: ["source"] },
      build: {
        outDir,
        emptyOutDir: true,
        target: "es2022",
        minify: false,
        rollupOptions: {
          input: join(packageDir, "test-browser", "fixture", "entry.ts"),
          output: { format: "es", entryFileNames: "entry.js" },
        },
      },
    });
    writeFileSync(join(outDir, "index.html"), `<!doctype html><script type="module" src="./entry.js"></script>`);
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it("runs a traced function with a While loop, an If and a fused dense layer on navigator.gpu, matching the cpu oracle", async () => {
    const { chromium } = await import("playwright-core");
    const { server, url } = await serve(outDir);
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    let result: any;
    try {
      const page = await browser.newPage();
      await page.goto(url);
      result = await page.evaluate(() => (window as unknown as { result: Promise<unknown> }).result);
    } finally {
      await browser.close();
      server.close();
    }
    expect(result.error).toBeUndefined();
    expect(result.hasNavigatorGpu).toBe(true);
    expect(result.backend).toBe("webgpu");
    // The loop ran speculatively: far fewer reads than its 20 iterations.
    expect(result.stats.reads).toBeLessThan(12);

    tf.registerBackend(cpu());
    await tf.setBackend("cpu");
    const { f, inputs } = program();
    const expected = (f(...inputs) as tf.Tensor[]).map((t) => Array.from(t.dataSync()));
    expect(result.values[0]).toEqual([20]);
    expectClose(result.values[1], expected[1]!, 1e-5, 1e-5);
    expectClose(result.values[2], expected[2]!, 1e-5, 1e-5);
  });
});
