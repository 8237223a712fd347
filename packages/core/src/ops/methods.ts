import { Tensor } from "../tensor/tensor.js";
import { methodTables } from "./op_list.js";

/**
 * Installs the chainable op methods (`a.add(b)`, `x.sum()`, ...) on Tensor.prototype.
 * Called once by the package entry point; each op family exports its own method table.
 */
export function installTensorMethods(): void {
  for (const table of methodTables()) {
    for (const [name, fn] of Object.entries(table)) {
      Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
    }
  }
}
