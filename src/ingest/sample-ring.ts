/**
 * A window's samples, oldest first, as [time, value] pairs in one array used as a ring.
 * NB: a full window gains a sample and loses one at every push. Arrays trimmed from the front regrew their backing
 * store every few samples, and each new store outlived the next scavenge (its window is old), so pushing promoted
 * most of what it allocated. A ring allocates only when a window grows.
 * @module
 */
export class SampleRing {
  /** Pairs at even and odd indexes; the capacity (`mask` + 1 pairs) is a power of two. */
  private slots: number[];
  private mask: number;
  private head = 0;
  private count = 0;

  constructor(capacity = 4) {
    this.slots = new Array<number>(capacity * 2).fill(0);
    this.mask = capacity - 1;
  }

  get length(): number {
    return this.count;
  }

  /** The time of the `i`-th oldest sample. */
  time(i: number): number {
    return this.slots[((this.head + i) & this.mask) * 2]!;
  }

  value(i: number): number {
    return this.slots[((this.head + i) & this.mask) * 2 + 1]!;
  }

  push(time: number, value: number): void {
    if (this.count > this.mask) this.grow();
    const at = ((this.head + this.count) & this.mask) * 2;
    this.slots[at] = time;
    this.slots[at + 1] = value;
    this.count++;
  }

  /** How many of the oldest samples are older than `oldest`, the newest always kept. */
  olderThan(oldest: number): number {
    let older = 0;
    while (older < this.count - 1 && this.time(older) < oldest) older++;
    return older;
  }

  dropOldest(count: number): void {
    this.head = (this.head + count) & this.mask;
    this.count -= count;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const slots = new Array<number>(capacity * 2).fill(0);
    for (let i = 0; i < this.count; i++) {
      slots[i * 2] = this.time(i);
      slots[i * 2 + 1] = this.value(i);
    }
    this.slots = slots;
    this.mask = capacity - 1;
    this.head = 0;
  }
}
