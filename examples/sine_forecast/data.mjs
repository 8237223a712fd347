/**
 * Noisy sines for the forecasting example: `series` signals, each a sum of two sines of
 * random frequency, amplitude and phase plus Gaussian noise, cut into windows of `window`
 * steps whose target is the value `horizon` steps after the window. Deterministic for a
 * seed (a small PRNG, so the data is the same everywhere).
 *
 * ```js
 * const { x, y } = noisySines(tf, { series: 64, length: 120, window: 30 }); // x [n, 30, 1], y [n, 1]
 * ```
 */

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One noisy signal of `length` steps. */
export function noisySignal(random, length, noise) {
  const waves = [0, 1].map(() => ({ frequency: 0.05 + 0.25 * random(), amplitude: 0.3 + 0.7 * random(), phase: 2 * Math.PI * random() }));
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from(
    { length },
    (_, t) => waves.reduce((sum, w) => sum + w.amplitude * Math.sin(w.frequency * t + w.phase), 0) + noise * gaussian(),
  );
}

/**
 * Windows and targets from `series` noisy signals: x `[n, window, 1]`, y `[n, 1]`, and the
 * naive forecast (the window's last value) for comparison.
 */
export function noisySines(tf, { series = 64, length = 120, window = 30, horizon = 1, noise = 0.1, stride = 3, seed = 1 } = {}) {
  const random = prng(seed);
  const xs = [];
  const ys = [];
  const naive = [];
  for (let s = 0; s < series; s++) {
    const signal = noisySignal(random, length, noise);
    for (let start = 0; start + window + horizon <= length; start += stride) {
      xs.push(...signal.slice(start, start + window));
      ys.push(signal[start + window + horizon - 1]);
      naive.push(signal[start + window - 1]);
    }
  }
  const n = ys.length;
  return { x: tf.tensor(xs, [n, window, 1]), y: tf.tensor(ys, [n, 1]), naive: tf.tensor(naive, [n, 1]) };
}
