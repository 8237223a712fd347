import type { Source } from "./loops.js";

/**
 * True when element `a` of a row ranks above element `b`: a larger value, NaN above every
 * number, and between equal values (or two NaNs) the lower index. This is a strict total
 * order, so the result never depends on the order elements are visited in.
 */
function ranksAbove(src: Source, base: number, a: number, b: number): boolean {
  const va = src[base + a]!;
  const vb = src[base + b]!;
  if (va > vb) return true;
  if (va < vb) return false;
  const aIsNaN = Number.isNaN(va);
  if (aIsNaN !== Number.isNaN(vb)) return aIsNaN;
  return a < b;
}

/** Restores the heap (lowest-ranked element at the root) after `heap[pos]` was replaced. */
function siftDown(src: Source, base: number, heap: Int32Array, count: number, pos: number): void {
  for (;;) {
    const left = 2 * pos + 1;
    if (left >= count) return;
    const right = left + 1;
    let lowest = ranksAbove(src, base, heap[pos]!, heap[left]!) ? left : pos;
    if (right < count && ranksAbove(src, base, heap[lowest]!, heap[right]!)) lowest = right;
    if (lowest === pos) return;
    const t = heap[pos]!;
    heap[pos] = heap[lowest]!;
    heap[lowest] = t;
    pos = lowest;
  }
}

function siftUp(src: Source, base: number, heap: Int32Array, pos: number): void {
  while (pos > 0) {
    const parent = (pos - 1) >> 1;
    if (!ranksAbove(src, base, heap[parent]!, heap[pos]!)) return;
    const t = heap[pos]!;
    heap[pos] = heap[parent]!;
    heap[parent] = t;
    pos = parent;
  }
}

/**
 * The top `k` of each of `rows` contiguous rows of length `n`, best first. A heap of the
 * `k` best seen so far (worst at the root) makes this O(n log k) per row; `k = 1` is a
 * plain scan. Values go to `values`, row positions to `indices` (both `rows * k` long).
 */
export function topKRows(src: Source, values: Source, indices: Int32Array, rows: number, n: number, k: number): void {
  if (k === 0) return;
  const heap = new Int32Array(k);
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    const out = r * k;
    if (k === 1) {
      let best = 0;
      for (let i = 1; i < n; i++) if (ranksAbove(src, base, i, best)) best = i;
      indices[out] = best;
      values[out] = src[base + best]!;
      continue;
    }
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (count < k) {
        heap[count] = i;
        siftUp(src, base, heap, count++);
      } else if (ranksAbove(src, base, i, heap[0]!)) {
        heap[0] = i;
        siftDown(src, base, heap, k, 0);
      }
    }
    // Popping the worst each time fills the output from its last slot to its first.
    for (let p = k - 1; p >= 0; p--) {
      const i = heap[0]!;
      indices[out + p] = i;
      values[out + p] = src[base + i]!;
      heap[0] = heap[--count]!;
      siftDown(src, base, heap, count, 0);
    }
  }
}
