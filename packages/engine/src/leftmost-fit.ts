/**
 * A queue that answers "the first item, in queue order, whose width is at most k" in O(log n): a min segment tree
 * over widths. Taken items get width Infinity. Used by the VM-granular policies, whose first-fit scans would
 * otherwise cost O(queue) per admission.
 */
export class LeftmostFit {
  private readonly size: number;
  private readonly tree: Float64Array;

  constructor(widths: readonly number[]) {
    let size = 1;
    while (size < widths.length) size *= 2;
    this.size = size;
    this.tree = new Float64Array(2 * size).fill(Infinity);
    widths.forEach((w, i) => {
      this.tree[size + i] = w;
    });
    for (let i = size - 1; i >= 1; i--) this.tree[i] = Math.min(this.tree[2 * i], this.tree[2 * i + 1]);
  }

  /** Position of the first item whose width is <= k, or -1. */
  first(k: number): number {
    // Taken items hold Infinity, so `k = Infinity` ("any width") must not find them.
    const limit = Math.min(k, Number.MAX_VALUE);
    if (this.tree[1] > limit) return -1;
    let i = 1;
    while (i < this.size) i = this.tree[2 * i] <= limit ? 2 * i : 2 * i + 1;
    return i - this.size;
  }

  /** Removes the item at `position` from the queue. */
  take(position: number): void {
    let i = this.size + position;
    this.tree[i] = Infinity;
    for (i >>= 1; i >= 1; i >>= 1) this.tree[i] = Math.min(this.tree[2 * i], this.tree[2 * i + 1]);
  }

  /** Width at `position` (Infinity once taken). */
  width(position: number): number {
    return this.tree[this.size + position];
  }

  get empty(): boolean {
    return this.tree[1] === Infinity;
  }
}
