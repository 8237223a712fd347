/**
 * The `keras.activations` namespace: `get(name)` and the list of names.
 *
 * ```ts
 * keras.activations.get("gelu").apply(tf.tensor([0, 1]));
 * ```
 */
export {
  getActivation as get,
  serializeActivation as serialize,
  activationNames,
  type Activation,
  type ActivationIdentifier,
} from "./activations.js";
