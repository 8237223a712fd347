/**
 * The character-level language model: embedding, an LSTM over the sequence
 * (`returnSequences`, length unknown: one trace for every length), and a dense layer
 * giving next-character logits at every position; sparse categorical cross-entropy from
 * logits, Adam. `generate` samples text one character at a time from the last position's
 * logits (temperature-scaled), feeding each character back in.
 *
 * ```js
 * const model = charModel(keras, corpus.vocab.length);
 * generate(tf, model, corpus, "This License ", 200, 0.7);
 * ```
 */

/** Builds and compiles the model. */
export function charModel(keras, vocabSize, { embedding = 24, units = 64, learningRate = 1e-2 } = {}) {
  const model = keras.sequential({
    name: "char_lm",
    layers: [
      keras.layers.embedding({ inputDim: vocabSize, outputDim: embedding, inputShape: [null] }),
      keras.layers.lstm({ units, returnSequences: true }),
      keras.layers.dense({ units: vocabSize }),
    ],
  });
  model.compile({
    optimizer: keras.optimizers.adam({ learningRate, clipnorm: 5 }),
    loss: keras.losses.sparseCategoricalCrossentropy({ fromLogits: true }),
    metrics: ["accuracy"],
  });
  return model;
}

/** Samples an index from logits at `temperature` (a seeded `random` makes it reproducible). */
export function sample(logits, temperature, random = Math.random) {
  const scaled = Array.from(logits, (l) => l / Math.max(temperature, 1e-6));
  const max = Math.max(...scaled);
  const weights = scaled.map((l) => Math.exp(l - max));
  let r = random() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i];
    if (r <= 0) return i;
  }
  return weights.length - 1;
}

/** `count` characters after `seed`, sampled from the model with a context of the last `context` characters. */
export function generate(tf, model, corpus, seed, count, temperature = 0.7, { context = 60, random = Math.random } = {}) {
  const ids = corpus.encode(seed);
  for (let i = 0; i < count; i++) {
    const window = ids.slice(-context);
    const logits = tf.tidy(() => {
      const out = model.predict(tf.tensor(window, [1, window.length], "int32"));
      return tf.slice(out, [0, window.length - 1, 0], [1, 1, -1]).dataSync();
    });
    ids.push(sample(logits, temperature, random));
  }
  return corpus.decode(ids.slice(corpus.encode(seed).length));
}
