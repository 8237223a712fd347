/** Every error class this package exports declares a stable name (`static errorName`) equal to its export name, so minified bundles print it. */
import { describe, expect, it } from "vitest";
import { exportedErrorClasses, misnamedErrorClasses } from "../../../error_names.shared.js";
import * as program from "../src/program.js";

describe("error names survive minification", () => {
  it("every exported error class declares errorName equal to its export name", () => {
    expect(exportedErrorClasses(program).map(([name]) => name)).toEqual(expect.arrayContaining(["ProgramError"]));
    expect(misnamedErrorClasses(program)).toEqual([]);
  });
});
