/**
 * The forecaster: an LSTM over a window of any length (`inputShape: [null, 1]`, so one
 * trace serves every window length) and a dense layer predicting the next value, trained
 * with Adam on mean squared error. `forecast` rolls it forward: each prediction is appended
 * to the window to predict the step after.
 *
 * ```js
 * const model = sineForecaster(keras);
 * const future = forecast(tf, model, window, 20); // 20 predicted steps
 * ```
 */

/** Builds and compiles the model. */
export function sineForecaster(keras, { units = 32, learningRate = 3e-3 } = {}) {
  const model = keras.sequential({
    name: "sine_forecaster",
    layers: [keras.layers.lstm({ units, inputShape: [null, 1] }), keras.layers.dense({ units: 1 })],
  });
  model.compile({ optimizer: keras.optimizers.adam(learningRate), loss: "meanSquaredError" });
  return model;
}

/** Predicts `steps` values after `window` (a `[length]` array), feeding each prediction back in. */
export function forecast(tf, model, window, steps) {
  const values = [...window];
  for (let i = 0; i < steps; i++) {
    const next = tf.tidy(() => model.predict(tf.tensor(values.slice(-window.length), [1, window.length, 1])).dataSync()[0]);
    values.push(next);
  }
  return values.slice(window.length);
}
