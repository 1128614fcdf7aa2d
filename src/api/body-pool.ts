/**
 * Memory for answer bodies that are written once and then dropped, reused once the write is done. NB: V8 counts every
 * new ArrayBuffer as external memory and starts a full garbage collection each time about 64 MB of it has been
 * allocated; a server assembling a fresh 20 KB body per request does that about twice a second under load, marking the
 * whole store each time. Bodies carved from a few reused slabs allocate nothing V8 counts (measured on the bench's
 * "100 selectors" row: the major collections went from 2 per second to none).
 *
 * A body stays untouched until whoever wrote it calls {@link BodyPool.release}. One that is never released (a client
 * gone before the answer finished, an answer re-encoded for `?pretty`) only keeps its slab out of reuse: the pool
 * holds no slab that has bodies out except the one it carves from, so garbage collection takes the rest.
 * @module
 */

interface Slab {
  readonly bytes: Buffer;
  /** Bodies carved from it and not yet released. */
  out: number;
  /** Bytes carved since the slab was (re)started. */
  used: number;
}

export class BodyPool {
  private current: Slab | undefined;
  private readonly free: Slab[] = [];
  /** NB: weak: a slab with bodies out that the pool let go of must stay collectable. */
  private readonly slabs = new WeakMap<ArrayBuffer, Slab>();

  /**
   * @param slabSize bytes per slab.
   * @param largest bodies longer than this get memory of their own: they are rare and would waste a slab's tail.
   * @param keepFree slabs kept for reuse beyond the current one.
   */
  constructor(
    private readonly slabSize = 512 * 1024,
    private readonly largest = 128 * 1024,
    private readonly keepFree = 2,
  ) {}

  /** `length` bytes, uninitialised, to be released once written. */
  take(length: number): Buffer {
    if (length > this.largest) return Buffer.allocUnsafeSlow(length);
    let slab = this.current;
    if (slab === undefined || slab.used + length > slab.bytes.length) {
      slab = this.nextSlab(slab);
      this.current = slab;
    }
    const body = slab.bytes.subarray(slab.used, slab.used + length);
    // NB: 8-byte alignment keeps every body on a word boundary, which memcpy prefers.
    slab.used += (length + 7) & ~7;
    slab.out++;
    return body;
  }

  /** Whether `body` was carved from one of the pool's slabs, so its writer must {@link release} it. */
  owns(body: Buffer): boolean {
    return this.slabs.get(body.buffer as ArrayBuffer) !== undefined;
  }

  /** Gives back a body once nothing reads it any more (its write finished). A body not from this pool is ignored. */
  release(body: Buffer): void {
    const slab = this.slabs.get(body.buffer as ArrayBuffer);
    if (slab === undefined || slab.out === 0) return;
    slab.out--;
    if (slab.out > 0) return;
    // NB: with no body out the current slab starts over, so its first bytes, still in the CPU's cache, are reused.
    if (slab === this.current) {
      slab.used = 0;
      return;
    }
    if (this.free.length < this.keepFree) {
      slab.used = 0;
      this.free.push(slab);
    } else {
      this.slabs.delete(body.buffer as ArrayBuffer);
    }
  }

  private nextSlab(full: Slab | undefined): Slab {
    if (full !== undefined && full.out === 0) {
      full.used = 0;
      return full;
    }
    // NB: a full slab with bodies out goes back to the free list from `release` when its last body does.
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const slab: Slab = { bytes: Buffer.allocUnsafeSlow(this.slabSize), out: 0, used: 0 };
    this.slabs.set(slab.bytes.buffer as ArrayBuffer, slab);
    return slab;
  }
}

/** The process's pool of answer bodies, shared by every server in it as Node's own Buffer pool is. */
export const answerBodies = new BodyPool();
