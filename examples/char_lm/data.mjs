/**
 * Text for the character-level language model: a licence text that every Debian system
 * ships (`/usr/share/common-licenses/GPL-3`, about 35,000 characters), its character
 * vocabulary, and training sequences: `x` holds `length` character ids, `y` the same
 * sequence shifted by one (the next character at every position).
 *
 * ```js
 * const corpus = await loadCorpus();                     // { text, vocab, encode, decode }
 * const { x, y } = sequences(tf, corpus, { length: 40 }); // x, y: int32 [n, 40]
 * ```
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";

/** The default text (override with the CHAR_LM_TEXT variable or the `path` option). */
export const DEFAULT_TEXT = process.env.CHAR_LM_TEXT ?? "/usr/share/common-licenses/GPL-3";

/** Whether the text file exists. */
export function corpusAvailable(path = DEFAULT_TEXT) {
  return existsSync(path);
}

/** Reads the text (whitespace runs collapsed to single spaces), optionally only its first `limit` characters. */
export async function loadCorpus({ path = DEFAULT_TEXT, limit } = {}) {
  const raw = (await readFile(path, "utf8")).replace(/\s+/g, " ");
  const text = limit === undefined ? raw : raw.slice(0, limit);
  const vocab = [...new Set(raw)].sort();
  const index = new Map(vocab.map((c, i) => [c, i]));
  return {
    text,
    vocab,
    encode: (s) => [...s].map((c) => index.get(c) ?? 0),
    decode: (ids) => ids.map((i) => vocab[i] ?? "?").join(""),
  };
}

/** Training pairs every `stride` characters: `x` the ids of `length` characters, `y` the next character at each position. */
export function sequences(tf, corpus, { length = 40, stride = 3 } = {}) {
  const ids = corpus.encode(corpus.text);
  const xs = [];
  const ys = [];
  for (let start = 0; start + length + 1 <= ids.length; start += stride) {
    xs.push(...ids.slice(start, start + length));
    ys.push(...ids.slice(start + 1, start + length + 1));
  }
  const n = xs.length / length;
  return { x: tf.tensor(xs, [n, length], "int32"), y: tf.tensor(ys, [n, length], "int32") };
}
