/** Every error class this package exports declares a stable name (`static errorName`) equal to its export name, so minified bundles print it. */
import { describe, expect, it } from "vitest";
import { exportedErrorClasses, misnamedErrorClasses } from "../../../error_names.shared.js";
import * as wasm from "../src/index.js";

describe("error names survive minification", () => {
  it("every exported error class declares errorName equal to its export name", () => {
    expect(exportedErrorClasses(wasm).map(([name]) => name)).toEqual(expect.arrayContaining(["WasmOutOfMemoryError", "WasmKernelError"]));
    expect(misnamedErrorClasses(wasm)).toEqual([]);
  });
});
