import { fileURLToPath } from "node:url";
import { createServer } from "vite";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("the dev server", () => {
  it("serves the page cross-origin isolated (COOP/COEP), as threaded wasm needs", async () => {
    const server = await createServer({ root, logLevel: "silent", server: { host: "127.0.0.1", port: 0, strictPort: false } });
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
