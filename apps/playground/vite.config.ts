import { defineConfig } from "vite";

/**
 * Cross-origin isolation (COOP/COEP), which SharedArrayBuffer and so the threaded wasm
 * backend need, on the dev server and the preview server alike.
 */
export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
} as const;

export default defineConfig({
  // Workspace packages are read from their TypeScript sources (the `source` export condition).
  resolve: { conditions: ["source", "module", "browser", "development|production"] },
  build: {
    target: "es2022",
    chunkSizeWarningLimit: 4096,
    rolldownOptions: {
      // No "plugins took N% of the build" warning in test logs when the machine is busy.
      checks: { bundlerTimings: false },
    },
  },
  // @babel/types (inside AutoGraph's converter) reads this Node variable unguarded; the
  // production build drops it, the dev server's pre-bundled dependencies need it defined.
  define: { "process.env.BABEL_TYPES_8_BREAKING": "false" },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
});
