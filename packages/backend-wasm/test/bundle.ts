import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Builds test/fixtures/bundle_entry.ts into `outDir` as an app would (Vite, relative base): entry.js plus assets. */
export async function bundleFixture(outDir: string): Promise<void> {
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
      rollupOptions: {
        input: join(packageDir, "test", "fixtures", "bundle_entry.ts"),
        preserveEntrySignatures: "strict",
        output: { format: "es", entryFileNames: "entry.js" },
      },
    },
  });
}
