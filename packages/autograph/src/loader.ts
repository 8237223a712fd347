/**
 * Node module loader hook (registered by `node --import @kiln/autograph/register`): converts
 * the functions passed to `tf.function` in the user's ES modules as they load, so their
 * free variables resolve in their own module (SPEC G10). Dependencies, Kiln's own packages
 * and modules that do not import @kiln/core load unchanged.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { isLibraryFile } from "./converter/kiln_sources.js";
import { transformModule } from "./converter/module_transform.js";

interface LoadContext {
  format?: string | null;
  conditions?: readonly string[];
  importAttributes?: Record<string, string>;
}

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}

type NextLoad = (url: string, context?: LoadContext) => Promise<LoadResult>;

const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json(?:;charset=[\w-]+)?;base64,([A-Za-z0-9+/=]+)\s*$/;

function text(source: LoadResult["source"]): string | undefined {
  if (typeof source === "string") return source;
  if (source instanceof ArrayBuffer) return new TextDecoder().decode(source);
  if (ArrayBuffer.isView(source)) return new TextDecoder().decode(source as Uint8Array);
  return undefined;
}

/** Transforms one loaded module, appending an inline source map (chained to an earlier transform's). */
export function transformLoaded(url: string, source: string): string | undefined {
  const filename = fileURLToPath(url);
  const match = INLINE_MAP.exec(source);
  const inputSourceMap = match === null ? undefined : (JSON.parse(Buffer.from(match[1]!, "base64").toString("utf8")) as object);
  const result = transformModule(match === null ? source : source.slice(0, match.index), {
    filename,
    displayName: relative(process.cwd(), filename) || filename,
    // TypeScript a runner (tsx) already compiled comes with its source map; otherwise it is still TypeScript.
    typescript: /\.[mc]?tsx?$/.test(filename) && inputSourceMap === undefined,
    ...(inputSourceMap === undefined ? {} : { inputSourceMap }),
  });
  if (result === undefined) return undefined;
  const map = Buffer.from(JSON.stringify(result.map)).toString("base64");
  return `${result.code}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${map}\n`;
}

/** Node's `load` hook. */
export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  if (
    !url.startsWith("file:") ||
    (result.format !== "module" && result.format !== "module-typescript") ||
    isLibraryFile(fileURLToPath(url))
  )
    return result;
  let source = text(result.source);
  if (source === undefined) {
    try {
      source = readFileSync(fileURLToPath(url), "utf8");
    } catch {
      return result;
    }
  }
  const transformed = transformLoaded(url, source);
  // The format stays: "module-typescript" source (Node's type stripping) is still TypeScript.
  return transformed === undefined ? result : { ...result, source: transformed };
}
