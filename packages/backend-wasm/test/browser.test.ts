import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleFixture } from "./bundle.js";

/** Debian's chromium (`apt-get install -y chromium`); the test is skipped on machines without it. */
const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };

const PAGE = `<!doctype html><script type="module">
import { addOne } from "./entry.js";
window.result = addOne([1, 2, 3], 2).catch((e) => ({ error: String(e) }));
</script>`;

/** Serves `dir`; with `isolated`, as a cross-origin isolated page (what wasm threads need in browsers). */
function serve(dir: string, isolated: boolean): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = normalize(join(dir, (request.url ?? "/").split("?")[0] === "/" ? "index.html" : request.url!.split("?")[0]!));
    if (!path.startsWith(dir) || !existsSync(path)) {
      response.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = { "content-type": TYPES[extname(path)] ?? "application/octet-stream" };
    if (isolated) {
      headers["cross-origin-opener-policy"] = "same-origin";
      headers["cross-origin-embedder-policy"] = "require-corp";
    }
    response.writeHead(200, headers).end(readFileSync(path));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })),
  );
}

describe.runIf(existsSync(CHROMIUM))("in a browser (headless chromium)", () => {
  const outDir = mkdtempSync(join(tmpdir(), "kiln-wasm-browser-"));
  beforeAll(async () => {
    await bundleFixture(outDir);
    writeFileSync(join(outDir, "index.html"), PAGE);
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  async function runPage(isolated: boolean): Promise<any> {
    const { chromium } = await import("playwright-core");
    const { server, url } = await serve(outDir, isolated);
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    try {
      const page = await browser.newPage();
      await page.goto(url);
      return await page.evaluate(() => (window as unknown as { result: Promise<unknown> }).result);
    } finally {
      await browser.close();
      server.close();
    }
  }

  it("a cross-origin isolated page fetches the threaded binary (relaxed SIMD where the browser runs it), starts a worker and computes", async () => {
    const result = await runPage(true);
    expect(result.error).toBeUndefined();
    expect(result.values).toEqual([2, 3, 4]);
    expect(result.product).toEqual([
      [256, 256],
      [256, 256],
    ]);
    expect(result.info).toEqual({ variant: result.relaxedSimd ? "relaxed-simd-threads" : "simd-threads", threads: 2 });
  });

  it("a page without cross-origin isolation falls back to the single-threaded binary and says why", async () => {
    const result = await runPage(false);
    expect(result.error).toBeUndefined();
    expect(result.values).toEqual([2, 3, 4]);
    expect(result.info.variant).toBe(result.relaxedSimd ? "relaxed-simd" : "simd");
    expect(result.info.threadsUnavailable).toMatch(/cross-origin isolated|SharedArrayBuffer/);
  });
});
