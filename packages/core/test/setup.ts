import * as tf from "@kiln/core";
import { cpu } from "@kiln/backend-cpu";

/** Registers the cpu oracle once for core's behaviour tests. */
export function useCpu(): void {
  if (!tf.listBackends().includes("cpu")) tf.registerBackend(cpu());
}
