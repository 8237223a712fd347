/**
 * A character-level language model trained on the GPL-3 text that ships with every Debian
 * system (/usr/share/common-licenses/GPL-3): an LSTM predicts the next character at every
 * position, and after each epoch the model writes a sample, so you can watch it learn
 * spelling, words and the licence's phrases.
 *
 * ```sh
 * pnpm build && node examples/char_lm/train.mjs                  # 10 epochs over the whole text
 * node examples/char_lm/train.mjs --epochs 2 --limit 8000        # quick
 * ```
 */
import { parseArgs } from "node:util";
import { cpu } from "@kiln/backend-cpu";
import * as tf from "@kiln/core";
import * as keras from "@kiln/keras";
import { corpusAvailable, DEFAULT_TEXT, loadCorpus, sequences } from "./data.mjs";
import { charModel, generate } from "./model.mjs";

const { values } = parseArgs({
  options: {
    epochs: { type: "string", default: "10" },
    limit: { type: "string" },
    length: { type: "string", default: "40" },
    temperature: { type: "string", default: "0.6" },
    verbose: { type: "string", default: "1" },
  },
});

if (!corpusAvailable()) {
  console.error(`${DEFAULT_TEXT} is missing (it ships with Debian's base-files); set CHAR_LM_TEXT to another text file.`);
  process.exit(1);
}

tf.registerBackend(cpu());
const corpus = await loadCorpus(values.limit === undefined ? {} : { limit: Number(values.limit) });
const length = Number(values.length);
const { x, y } = sequences(tf, corpus, { length, stride: 5 });
console.log(`${corpus.text.length} characters, ${corpus.vocab.length} distinct, ${x.shape[0]} sequences of ${length}`);

const model = charModel(keras, corpus.vocab.length);
model.summary();
const seed = "This License ";
await model.fit(x, y, {
  epochs: Number(values.epochs),
  batchSize: 32,
  verbose: Number(values.verbose),
  callbacks: {
    onEpochEnd: (epoch, logs) => {
      const text = generate(tf, model, corpus, seed, 160, Number(values.temperature));
      console.log(`\nepoch ${epoch + 1}, loss ${logs.loss.toFixed(3)}: "${seed}${text}"\n`);
    },
  },
});
