/**
 * A min-heap of disks keyed by the progress at which they finish (bytes), ties by disk id so that the same input
 * always gives the same order.
 */
export class FinishHeap {
  private readonly keys: number[] = [];
  private readonly disks: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** The smallest key; Infinity when empty. */
  peekKey(): number {
    return this.keys.length > 0 ? this.keys[0] : Infinity;
  }

  push(key: number, disk: number): void {
    this.keys.push(key);
    this.disks.push(disk);
    let i = this.keys.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes and returns the disk with the smallest key. */
  pop(): number {
    const top = this.disks[0];
    const lastKey = this.keys.pop() as number;
    const lastDisk = this.disks.pop() as number;
    if (this.keys.length > 0) {
      this.keys[0] = lastKey;
      this.disks[0] = lastDisk;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.keys.length && this.less(l, m)) m = l;
        if (r < this.keys.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    return this.keys[a] < this.keys[b] || (this.keys[a] === this.keys[b] && this.disks[a] < this.disks[b]);
  }

  private swap(a: number, b: number): void {
    [this.keys[a], this.keys[b]] = [this.keys[b], this.keys[a]];
    [this.disks[a], this.disks[b]] = [this.disks[b], this.disks[a]];
  }
}
