/**
 * Shared by every package's error-name test: the error classes a module exports, and those whose
 * stable name (`static errorName`, see `KilnError`) is missing or differs from the export name.
 * A new error class that forgets to declare its name fails its package's test.
 *
 * ```ts
 * import * as keras from "../src/index.js";
 * expect(misnamedErrorClasses(keras)).toEqual([]);
 * ```
 */

/** An exported error class, as these checks see it. */
export type ErrorClass = (abstract new (...args: never[]) => Error) & { readonly errorName?: string };

/** The error classes among a module's exports (functions whose prototype is an `Error`), as `[exportName, class]`. */
export function exportedErrorClasses(module: object): [string, ErrorClass][] {
  return Object.entries(module).filter((entry): entry is [string, ErrorClass] => {
    const value: unknown = entry[1];
    return typeof value === "function" && value.prototype instanceof Error;
  });
}

/** The export names of error classes that do not declare their own `errorName` equal to that name. */
export function misnamedErrorClasses(module: object): string[] {
  return exportedErrorClasses(module)
    .filter(([name, cls]) => !Object.hasOwn(cls, "errorName") || cls.errorName !== name)
    .map(([name]) => name);
}
