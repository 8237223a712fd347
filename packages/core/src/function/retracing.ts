/**
 * Watches how often a function traces and warns when it looks like a mistake (SPEC E1):
 * when at least 5 of the last 10 calls traced. It warns at most twice over its life.
 * One detector is shared by every `tf.function` made from the same JS function, so
 * re-creating `tf.function(f)` in a loop is caught too.
 */
export class RetracingDetector {
  private readonly history: boolean[] = [];
  private readonly warned = { count: 0 };

  constructor(private readonly warn: (message: string) => void) {}

  /** Records one call; `traced` says whether it traced. */
  record(traced: boolean, name: string): void {
    this.history.push(traced);
    if (this.history.length > 10) this.history.shift();
    const traces = this.history.filter(Boolean).length;
    if (!traced || traces < 5 || this.warned.count >= 2) return;
    this.warned.count++;
    const calls = this.history.length;
    this.history.length = 0;
    this.warn(
      `${traces} out of the last ${calls} calls to ${name} triggered retracing. Tracing is expensive and this many traces is likely a mistake. ` +
        `Likely causes: (1) creating a tf.function again and again (e.g. in a loop): create it once outside the loop; ` +
        `(2) passing tensors with changing shapes: use an inputSignature with null dimensions, or keep reduceRetracing on; ` +
        `(3) passing JS numbers or objects that change between calls: pass tensors instead (JS values are part of the cache key).`,
    );
  }
}
