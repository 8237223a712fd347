type Scheduler = (callback: () => void) => unknown;

/**
 * Resolves on the next animation frame in a browser (`requestAnimationFrame`), or after
 * the current I/O callbacks in Node (`setImmediate`), like tfjs's `tf.nextFrame`: await
 * it inside a long training loop to let the page (or the event loop) breathe.
 *
 * ```ts
 * for (let i = 0; i < 100; i++) { optimizer.minimize(loss); await tf.nextFrame(); }
 * ```
 */
export function nextFrame(): Promise<void> {
  const scope = globalThis as { requestAnimationFrame?: Scheduler; setImmediate?: Scheduler };
  return new Promise((resolve) => {
    const done = () => resolve();
    if (typeof scope.requestAnimationFrame === "function") scope.requestAnimationFrame(done);
    else if (typeof scope.setImmediate === "function") scope.setImmediate(done);
    else setTimeout(done, 0);
  });
}
