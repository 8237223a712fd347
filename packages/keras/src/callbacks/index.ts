/**
 * Callbacks for `fit`: the base class, History, the progress bar and the standard ones.
 *
 * ```ts
 * callbacks: [keras.callbacks.earlyStopping({ patience: 2 }), keras.callbacks.terminateOnNaN()]
 * ```
 */
export { Callback, CallbackList, CustomCallback, History, type Logs, type CallbackParams, type CustomCallbackArgs } from "./callback.js";
export { ProgressBar, type ProgressWriter, formatBar, formatLogs } from "./progbar.js";
export * from "./standard.js";
