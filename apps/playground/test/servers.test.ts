import { fileURLToPath } from "node:url";
import { createServer } from "vite";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("the dev server", () => {
  it("serves the page cross-origin isolated (COOP/COEP), as threaded wasm needs", async () => {
    // No dependency pre-bundling: only the headers are checked here (browser.test.ts runs the
    // dev server's page), and a bundling cut short by close() leaves temporary folders behind.
    const server = await createServer({
      root,
      logLevel: "silent",
      optimizeDeps: { noDiscovery: true, include: [] },
      server: { host: "127.0.0.1", port: 0, strictPort: false },
    });
    try {
      await server.listen();
      const response = await fetch(server.resolvedUrls!.local[0]!);
      expect(response.status).toBe(200);
      expect(response.headers.get("cross-origin-opener-policy")).toBe("same-origin");
      expect(response.headers.get("cross-origin-embedder-policy")).toBe("require-corp");
      expect(await response.text()).toContain('<script type="module" src="/src/main.ts">');
    } finally {
      await server.close();
    }
  });
});
