/**
 * `SeedGenerator`, as in Keras 3: a non-trainable int32 state variable `[seed, counter]`.
 * Each `next()` returns the current state as a seed tensor for core's stateless random ops
 * (`tf.statelessRandomUniform(shape, seed)`) and advances the counter, so a traced training
 * step draws a new mask on every execution while eager and traced runs with the same seed
 * draw the same masks in the same order.
 *
 * ```ts
 * const gen = new keras.random.SeedGenerator(42);
 * const mask = tf.statelessRandomUniform([4], gen.next()); // state [42, 0], then [42, 1]
 * ```
 */
import * as tf from "@kiln/core";
import { ConfigError } from "../errors.js";
import { createVariable } from "../utils/variables.js";

/** The counter's step: Keras 3 advances the second word of the state. */
const INCREMENT: readonly number[] = [0, 1];

export class SeedGenerator {
  /** The seed it started from (the config's `seed`). */
  readonly seed: number;
  /** The state variable `[seed mod 2^32 as int32, draws so far]` (non-trainable, not a layer weight). */
  readonly state: tf.Variable;

  /**
   * @param seed an integer; taken modulo 2^32, like Keras 3's uint32 state. Without one a
   *   random seed is chosen (Keras 3's behaviour), so runs differ.
   * @param name the state variable's name.
   */
  constructor(seed?: number | null, name = "seed_generator") {
    if (seed !== undefined && seed !== null && !Number.isSafeInteger(seed)) {
      throw new ConfigError(`SeedGenerator '${name}': seed must be an integer, received ${String(seed)}`);
    }
    this.seed = seed ?? Math.floor(Math.random() * 2 ** 31);
    const word = Number(BigInt.asIntN(32, BigInt(this.seed)));
    this.state = createVariable(() => tf.tensor([word, 0], [2], "int32"), { name: `${name}/seed_generator_state`, trainable: false });
  }

  /**
   * The seed for one draw: the current state (an int32 tensor of shape [2]); the state then
   * advances. Works eagerly and inside a traced step (a variable read and an add).
   */
  next(): tf.Tensor {
    const seed = this.state.read();
    this.state.assignAdd([...INCREMENT]).dispose();
    return seed;
  }

  /** Frees the state variable. */
  dispose(): void {
    this.state.dispose();
  }
}

/**
 * Uniform `[0, 1)` noise of `shape`: from `generator` (stateless, reproducible) when given,
 * else a fresh unseeded draw (core's stateful op).
 */
export function uniformNoise(shape: number[] | tf.Tensor, generator: SeedGenerator | undefined): tf.Tensor {
  if (generator === undefined) return tf.randomUniform(shape, 0, 1, "float32");
  return tf.statelessRandomUniform(shape, generator.next());
}

/** Normal noise of `shape`, `mean` and `stdDev`: from `generator` when given, else unseeded. */
export function normalNoise(shape: number[] | tf.Tensor, mean: number, stdDev: number, generator: SeedGenerator | undefined): tf.Tensor {
  if (generator === undefined) return tf.randomNormal(shape, mean, stdDev);
  return tf.statelessRandomNormal(shape, generator.next(), { mean, stdDev });
}

/** A generator for a layer's `seed` option, or undefined (unseeded layers draw as before). */
export function seedGeneratorFor(seed: number | null | undefined, layer: string): SeedGenerator | undefined {
  return seed === undefined || seed === null ? undefined : new SeedGenerator(seed, layer);
}
