/**
 * Optimizer factories. Each takes either Keras 3's options object or tfjs's positional
 * arguments (`keras.optimizers.adam(1e-3)`, `keras.optimizers.adam({ learningRate: 1e-3,
 * clipnorm: 1 })`), and `get` resolves the names `compile` accepts (`"adam"`, `"sgd"`, ...).
 * The tfjs `tf.train.*` mapping is in the package README.
 *
 * ```ts
 * model.compile({ optimizer: keras.optimizers.sgd({ learningRate: 0.1, momentum: 0.9 }), loss: "meanSquaredError" });
 * ```
 */
import { classes, type SerializedObject } from "../engine/serialization.js";
import { ConfigError } from "../errors.js";
import { Adam, type AdamArgs, Adamax, AdamW, Nadam } from "./adaptive.js";
import { Adadelta, Adagrad, Lion, RMSprop, SGD } from "./classic.js";
import { Optimizer, type OptimizerArgs } from "./optimizer.js";
import type { LearningRateSchedule } from "./schedules.js";

export * from "./schedules.js";
export * as schedules from "./schedules.js";
export { Optimizer, type OptimizerArgs, type GradientPair, clipByGlobalNorm, clipByNorm } from "./optimizer.js";
export { Adam, AdamW, Adamax, Nadam, type AdamArgs } from "./adaptive.js";
export { SGD, RMSprop, Adagrad, Adadelta, Lion } from "./classic.js";

type Rate = number | LearningRateSchedule;

function opts<T extends OptimizerArgs>(first: Rate | T | undefined): T {
  if (first === undefined) return {} as T;
  if (typeof first === "number" || (typeof first === "object" && "apply" in first && "getConfig" in first && !("learningRate" in first))) {
    return { learningRate: first as Rate } as T;
  }
  return first as T;
}

/** SGD: `sgd(0.1)` (tfjs) or `sgd({ learningRate, momentum, nesterov })` (Keras). */
export function sgd(args?: Rate | (OptimizerArgs & { momentum?: number; nesterov?: boolean })): SGD {
  return new SGD(opts(args));
}

/** tfjs's `tf.train.momentum(learningRate, momentum, useNesterov)`: SGD with momentum. */
export function momentum(learningRate: Rate, momentumValue = 0.9, useNesterov = false): SGD {
  return new SGD({ learningRate, momentum: momentumValue, nesterov: useNesterov });
}

/** Adam: `adam(1e-3)`, `adam(lr, beta1, beta2, epsilon)` (tfjs) or `adam({ learningRate, ... })`. */
export function adam(args?: Rate | AdamArgs, beta1?: number, beta2?: number, epsilon?: number): Adam {
  return new Adam({ ...defined({ beta1, beta2, epsilon }), ...opts<AdamArgs>(args) });
}

/** AdamW: Adam with decoupled weight decay. */
export function adamw(args?: Rate | AdamArgs): AdamW {
  return new AdamW(opts<AdamArgs>(args));
}

/** Adamax: `adamax(lr, beta1, beta2, epsilon)` or options. */
export function adamax(args?: Rate | AdamArgs, beta1?: number, beta2?: number, epsilon?: number): Adamax {
  return new Adamax({ ...defined({ beta1, beta2, epsilon }), ...opts<AdamArgs>(args) });
}

/** Nadam. */
export function nadam(args?: Rate | AdamArgs): Nadam {
  return new Nadam(opts<AdamArgs>(args));
}

/** RMSprop: `rmsprop(lr, decay, momentum, epsilon, centered)` (tfjs) or options. */
export function rmsprop(
  args?: Rate | (OptimizerArgs & { rho?: number; momentum?: number; epsilon?: number; centered?: boolean }),
  decay?: number,
  momentumValue?: number,
  epsilon?: number,
  centered?: boolean,
): RMSprop {
  return new RMSprop({ ...defined({ rho: decay, momentum: momentumValue, epsilon, centered }), ...opts(args) });
}

/** Adagrad: `adagrad(lr, initialAccumulatorValue)` (tfjs) or options. */
export function adagrad(
  args?: Rate | (OptimizerArgs & { initialAccumulatorValue?: number; epsilon?: number }),
  initialAccumulatorValue?: number,
): Adagrad {
  return new Adagrad({ ...defined({ initialAccumulatorValue }), ...opts(args) });
}

/** Adadelta: `adadelta(lr, rho, epsilon)` (tfjs) or options. */
export function adadelta(args?: Rate | (OptimizerArgs & { rho?: number; epsilon?: number }), rho?: number, epsilon?: number): Adadelta {
  return new Adadelta({ ...defined({ rho, epsilon }), ...opts(args) });
}

/** Lion. */
export function lion(args?: Rate | (OptimizerArgs & { beta1?: number; beta2?: number })): Lion {
  return new Lion(opts(args));
}

function defined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const BY_NAME: Record<string, () => Optimizer> = {
  sgd: () => sgd(),
  momentum: () => momentum(0.01),
  adam: () => adam(),
  adamw: () => adamw(),
  adamax: () => adamax(),
  nadam: () => nadam(),
  rmsprop: () => rmsprop(),
  adagrad: () => adagrad(),
  adadelta: () => adadelta(),
  lion: () => lion(),
};

/**
 * Resolves an optimizer from a name (case-insensitive: `"adam"`, `"SGD"`, `"rmsprop"`...),
 * a serialized `{ className, config }`, or an instance (returned as is).
 *
 * ```ts
 * keras.optimizers.get("adam").getConfig(); // { learningRate: 0.001, beta1: 0.9, ... }
 * ```
 */
export function get(identifier: string | Optimizer | SerializedObject): Optimizer {
  if (identifier instanceof Optimizer) return identifier;
  if (typeof identifier === "string") {
    const make = BY_NAME[identifier.toLowerCase()];
    if (make === undefined) throw new ConfigError(`Unknown optimizer '${identifier}'; valid names are ${Object.keys(BY_NAME).join(", ")}`);
    return make();
  }
  return classes.deserialize<Optimizer>(identifier, "optimizer");
}
