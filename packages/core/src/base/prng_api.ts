/**
 * Everything `tf.prng` exports: the seeded streams (`prng.ts`) and the stateless streams of
 * the tensor-seeded ops (`prng_stateless.ts`).
 *
 * ```ts
 * import { prng } from "@kiln/core";
 * prng.fillStatelessUniform(new Float32Array(4), 1, 2, 0, 1);
 * ```
 */
export * from "./prng.js";
export * from "./prng_stateless.js";
