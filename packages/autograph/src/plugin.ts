/**
 * Bundler plugins (Vite, Rollup, Rolldown, esbuild, webpack, Rspack; one implementation via
 * unplugin): convert the functions passed to `tf.function` at build time, so the bundle
 * needs no `eval` (works under a strict Content-Security-Policy) and free variables resolve
 * in their own module (SPEC G10).
 *
 * ```ts
 * // vite.config.ts
 * import { vite as autograph } from "@kiln/autograph/plugin";
 * export default { plugins: [autograph()] };
 * ```
 */
import { relative } from "node:path";
import { createUnplugin, type UnpluginInstance } from "unplugin";
import { isLibraryFile } from "./converter/kiln_sources.js";
import { transformModule } from "./converter/module_transform.js";

/** Options of the bundler plugin. */
export interface AutoGraphPluginOptions {
  /** Which module ids to transform (default: JS/TS sources outside node_modules and Kiln's own packages). */
  readonly include?: (id: string) => boolean;
}

const SOURCE = /\.[mc]?[jt]sx?$/;

function defaultInclude(id: string): boolean {
  const path = id.replace(/\?.*$/, "");
  return SOURCE.test(path) && !id.startsWith("\0") && !isLibraryFile(path);
}

/** The plugin in every bundler's form (unplugin's instance type). */
export type AutoGraphPluginInstance = UnpluginInstance<AutoGraphPluginOptions | undefined, boolean>;

/** The plugin factory; `vite`, `rollup`, `esbuild`, ... below are its per-bundler forms. */
export const autographPlugin: AutoGraphPluginInstance = createUnplugin((options: AutoGraphPluginOptions | undefined) => {
  const include = options?.include ?? defaultInclude;
  return {
    name: "kiln-autograph",
    // Before TypeScript is stripped, so locations in messages point at the original source.
    enforce: "pre",
    transformInclude: (id: string) => include(id),
    transform(code: string, id: string) {
      const path = id.replace(/\?.*$/, "");
      const result = transformModule(code, {
        filename: path,
        displayName: relative(process.cwd(), path) || path,
        typescript: /\.[mc]?tsx?$/.test(path),
        jsx: /\.[jt]sx$/.test(path),
        installHook: true,
      });
      return result === undefined ? undefined : { code: result.code, map: result.map as never };
    },
  };
});

// Typed through unplugin's instance, so the published declarations name only exported types.
export const vite: AutoGraphPluginInstance["vite"] = autographPlugin.vite;
export const rollup: AutoGraphPluginInstance["rollup"] = autographPlugin.rollup;
export const rolldown: AutoGraphPluginInstance["rolldown"] = autographPlugin.rolldown;
export const esbuild: AutoGraphPluginInstance["esbuild"] = autographPlugin.esbuild;
export const webpack: AutoGraphPluginInstance["webpack"] = autographPlugin.webpack;
export const rspack: AutoGraphPluginInstance["rspack"] = autographPlugin.rspack;
