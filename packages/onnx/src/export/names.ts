/**
 * Value and node names for one model. ONNX values live in one namespace across a graph and
 * its sub-graphs (a branch or loop body must not shadow an outer name), so one `NameScope`
 * hands out every name of a model. Names are C identifiers (letters, digits, `_`), which
 * every serving stack accepts (Triton's config.pbtxt names inputs by them).
 *
 * ```ts
 * const names = new NameScope();
 * names.unique("dense/MatMul"); // "dense_MatMul"
 * names.unique("dense/MatMul"); // "dense_MatMul_1"
 * ```
 */
export class NameScope {
  readonly #used = new Set<string>();
  readonly #next = new Map<string, number>();

  /** `text` made into a C identifier. */
  static sanitize(text: string): string {
    const clean = text.replace(/[^A-Za-z0-9_]/g, "_").replace(/_+/g, "_");
    return /^[A-Za-z_]/.test(clean) ? clean : `_${clean}`;
  }

  /** A fresh name based on `base`: the base itself if free, else `base_1`, `base_2`, ... */
  unique(base: string): string {
    const clean = NameScope.sanitize(base);
    if (!this.#used.has(clean)) {
      this.#used.add(clean);
      return clean;
    }
    let k = this.#next.get(clean) ?? 1;
    while (this.#used.has(`${clean}_${k}`)) k++;
    this.#next.set(clean, k + 1);
    const name = `${clean}_${k}`;
    this.#used.add(name);
    return name;
  }

  /** Whether `name` is taken. */
  has(name: string): boolean {
    return this.#used.has(name);
  }
}
