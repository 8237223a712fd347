/**
 * Picks the IO handler for a URL: `file://`, `localstorage://`, `indexeddb://`,
 * `downloads://`, `http://`/`https://`; an `IOHandler` object passes through.
 *
 * ```ts
 * resolveHandler("file:///tmp/model"); // the Node file-system handler
 * ```
 */
import { ConfigError } from "../errors.js";
import type { IOHandler } from "./artifacts.js";
import { browserDownloads, browserIndexedDB, browserLocalStorage, http } from "./browser_handlers.js";
import { fileSystem } from "./file_handler.js";

/** The handler for `destination`, or a `ConfigError` listing the schemes. */
export function resolveHandler(destination: string | IOHandler, what: "save" | "load"): IOHandler {
  if (typeof destination !== "string") {
    if (destination === null || typeof destination !== "object" || (what === "save" ? destination.save : destination.load) === undefined) {
      throw new ConfigError(`${what}: the handler has no ${what}() method`);
    }
    return destination;
  }
  const scheme = /^([a-z]+):\/\//.exec(destination)?.[1];
  switch (scheme) {
    case "file":
      return fileSystem(destination);
    case "localstorage":
      return browserLocalStorage(destination);
    case "indexeddb":
      return browserIndexedDB(destination);
    case "downloads":
      return browserDownloads(destination);
    case "http":
    case "https":
      return http(destination);
    default:
      throw new ConfigError(
        `${what}: unsupported destination '${destination}'; use file://, localstorage://, indexeddb://, downloads://, http(s):// or an IOHandler`,
      );
  }
}
