/**
 * @kiln/backend-cpu: the reference backend, kernels in TypeScript.
 *
 * ```ts
 * import * as tf from "@kiln/core";
 * import { cpu } from "@kiln/backend-cpu";
 * tf.registerBackend(cpu());
 * // or, as tfjs's backend packages do: import "@kiln/backend-cpu/register";
 * ```
 */
import { BACKEND_API_VERSION, type BackendPlugin, CodeGenerationError, codeGenerationAllowed } from "@kiln/core";
import { CpuBackend } from "./cpu_backend.js";
import { cpuKernels } from "./kernels/index.js";

export { CpuBackend } from "./cpu_backend.js";

/** Options of `cpu(options)`. */
export interface CpuOptions {
  /**
   * How elementwise kernels are built. `true`: generated JS (`new Function`), the fastest;
   * `false`: prebuilt loops over the same semantics (`block_dialect.ts`), with identical results, for pages whose
   * Content-Security-Policy forbids `'unsafe-eval'`. Left out, the backend probes once
   * (`tf.codeGenerationAllowed()`) and picks generated kernels where they are allowed.
   */
  readonly codegen?: boolean;
  /** The name to register under (default `"cpu"`), e.g. to run both kinds of kernels side by side. */
  readonly name?: string;
}

/**
 * The cpu backend plugin for `tf.registerBackend`.
 *
 * ```ts
 * tf.registerBackend(cpu());                                             // generated kernels where allowed
 * tf.registerBackend(cpu({ codegen: false, name: "cpu-prebuilt" }), { priority: 0 }); // never generates code
 * ```
 */
export function cpu(options: CpuOptions = {}): BackendPlugin {
  const name = options.name ?? "cpu";
  return {
    name,
    apiVersion: BACKEND_API_VERSION,
    priority: 1,
    kernels: name === "cpu" ? cpuKernels : cpuKernels.map((kernel) => ({ ...kernel, backend: name })),
    create: () => new CpuBackend({ name, codegen: kernelCodegen(options.codegen) }),
  };
}

/** Whether the backend generates kernels: as asked, or what the environment allows. */
function kernelCodegen(asked: boolean | undefined): boolean {
  if (asked === false) return false;
  const allowed = codeGenerationAllowed();
  if (asked === true && !allowed) {
    throw new CodeGenerationError(
      "cpu({ codegen: true }): this environment forbids compiling JavaScript from strings (a Content-Security-Policy without 'unsafe-eval', " +
        "or Node's --disallow-code-generation-from-strings); use cpu(), which detects it and uses prebuilt kernels, or cpu({ codegen: false })",
    );
  }
  return allowed;
}
