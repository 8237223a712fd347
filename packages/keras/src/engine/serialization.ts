/**
 * Serialization of Keras objects (`{ className, config }`) and the class registry that maps
 * a saved class name back to a constructor. A saved file only ever names a class; the class
 * must have been registered (built-ins are, custom ones with `registerClass`), and nothing in
 * a file is ever evaluated as code (SPEC M3).
 *
 * ```ts
 * class Scale extends keras.layers.Layer { static className = "Scale"; ... }
 * keras.registerClass(Scale);
 * keras.layers.deserialize({ className: "Scale", config: { name: "s" } });
 * ```
 */
import { ConfigError } from "../errors.js";

/** A JSON-compatible configuration value (what `getConfig` returns). */
export type ConfigValue = null | boolean | number | string | ConfigValue[] | ConfigDict;
/** A configuration object: plain JSON keyed by camelCase option names. */
export interface ConfigDict {
  [key: string]: ConfigValue;
}

/** The serialized form of a Keras object: its registered class name and its config. */
export interface SerializedObject {
  className: string;
  config: ConfigDict;
}

/** A class that can be rebuilt from its config: what `registerClass` accepts. */
export interface SerializableClass<T = unknown> {
  /** The name written to files; defaults to the JS class name. */
  readonly className?: string;
  readonly name: string;
  fromConfig?(config: ConfigDict, registry: ClassRegistry): T;
  new (...args: any[]): T;
}

/** Anything with a config and a class name (layers, initializers, optimizers, ...). */
export interface Serializable {
  getConfig(): ConfigDict;
  getClassName(): string;
}

/**
 * An explicit registry of class names. The package keeps one default instance (`classes`),
 * filled with the built-ins on first use; tests or apps may build their own.
 *
 * ```ts
 * const registry = new ClassRegistry();
 * registry.register(MyLayer);
 * registry.lookup("MyLayer", "layer");
 * ```
 */
export class ClassRegistry {
  readonly #classes = new Map<string, SerializableClass>();

  /** Registers `cls` under its `className` (or JS name); re-registering replaces the entry. */
  register(cls: SerializableClass, name?: string): void {
    const key = name ?? cls.className ?? cls.name;
    if (typeof key !== "string" || key.length === 0) throw new ConfigError("registerClass: the class needs a static className or a name");
    this.#classes.set(key, cls);
  }

  /** Whether a class name is known. */
  has(name: string): boolean {
    return this.#classes.has(name);
  }

  /** The class registered under `name`; a `ConfigError` that names the kind and the known names otherwise. */
  lookup(name: string, kind: string): SerializableClass {
    const cls = this.#classes.get(name);
    if (cls === undefined) {
      throw new ConfigError(
        `Unknown ${kind} class '${name}'. Register custom classes with keras.registerClass(${name}) before loading or deserializing; ` +
          `known classes include: ${[...this.#classes.keys()].slice(0, 12).join(", ")}...`,
      );
    }
    return cls;
  }

  /** Builds an instance from its serialized form: `fromConfig` when the class has one, else `new cls(config)`. */
  deserialize<T>(serialized: SerializedObject, kind: string): T {
    if (serialized === null || typeof serialized !== "object" || typeof serialized.className !== "string") {
      throw new ConfigError(`Cannot deserialize a ${kind} from ${JSON.stringify(serialized)}: expected { className, config }`);
    }
    const cls = this.lookup(serialized.className, kind);
    const config = serialized.config ?? {};
    return (cls.fromConfig !== undefined ? cls.fromConfig(config, this) : new cls(config)) as T;
  }
}

/** The package's default class registry: built-in layers, initializers, ... and user classes. */
export const classes = new ClassRegistry();

/**
 * Registers a custom class (layer, model, initializer, regularizer, constraint, loss,
 * metric, optimizer) so that models that use it can be saved and loaded (tfjs's
 * `tf.serialization.registerClass`).
 *
 * ```ts
 * class Scale extends keras.layers.Layer { static className = "Scale"; }
 * keras.registerClass(Scale);
 * ```
 */
export function registerClass<T extends SerializableClass>(cls: T, name?: string): T {
  classes.register(cls, name);
  return cls;
}

/** Serializes a Keras object as `{ className, config }`. */
export function serializeKerasObject(object: Serializable): SerializedObject {
  return { className: object.getClassName(), config: object.getConfig() };
}

/** Converts a camelCase identifier to snake_case the way tfjs-layers does (for file compatibility). */
export function toSnakeCase(name: string): string {
  const spaced = name
    .replace(/(.)([A-Z][a-z0-9]+)/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase();
  return spaced.startsWith("_") ? `private${spaced}` : spaced;
}

/** Converts a snake_case identifier to camelCase the way tfjs-layers does. */
export function toCamelCase(name: string): string {
  if (name.length <= 1 || !name.includes("_")) return name;
  return name.replace(/_+(\w|$)/g, (_m, c: string) => c.toUpperCase());
}

const NAME_LIST_KEYS = new Set(["inboundNodes", "outputLayers", "inputLayers"]);

/**
 * Converts a camelCase config to the snake_case ("pythonic") form written in model.json:
 * keys and string values change, except layer names, class names and node references.
 */
export function toPythonic(value: unknown, key?: string): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return toSnakeCase(value);
  if (typeof value !== "object") return value;
  if (Array.isArray(value)) {
    return value.map((item, i) =>
      key !== undefined && NAME_LIST_KEYS.has(key) && i === 0 && typeof item === "string" ? item : toPythonic(item, key),
    );
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[toSnakeCase(k)] = (k === "name" || k === "className") && typeof v === "string" ? v : toPythonic(v, k);
  }
  return out;
}

/** The reverse of `toPythonic`: a model.json config back to camelCase options. */
export function fromPythonic(value: unknown, key?: string): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return toCamelCase(value);
  if (typeof value !== "object") return value;
  if (Array.isArray(value)) {
    return value.map((item, i) =>
      key !== undefined && NAME_LIST_KEYS.has(key) && i === 0 && typeof item === "string" ? item : fromPythonic(item, key),
    );
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const camel = toCamelCase(k);
    out[camel] = (k === "name" || k === "class_name" || k === "className") && typeof v === "string" ? v : fromPythonic(v, camel);
  }
  return out;
}
