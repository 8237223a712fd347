/**
 * `keras.random`: the seed generator the seeded noise layers (dropout, gaussianNoise, ...)
 * draw from, as in Keras 3.
 *
 * ```ts
 * const gen = new keras.random.SeedGenerator(1);
 * ```
 */
export { SeedGenerator } from "./seed_generator.js";
