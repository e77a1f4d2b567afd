import type { BufferPoolStats } from './types.js';

/** One slab of the JS twin: its memory, stable index, users (slices and reservations) and fill mark. */
export class JsSlab {
  /** Slices (of any buffer) and reservations using this slab. */
  refs = 0;
  /** Bytes below this mark were handed out and are never written again. */
  fill = 0;

  constructor(
    /** The slab memory. */
    readonly data: Buffer,
    /** Its index in the pool. */
    readonly index: number,
  ) {}
}

/**
 * The slab pool of the JS twin, the same algorithm as the native `gmcp::buffers::Pool`: slabs are
 * allocated lazily up to the maximum, cached LIFO once released, and reused before new ones.
 */
export class JsSlabPool {
  private readonly slabs: JsSlab[] = [];
  private readonly free: JsSlab[] = [];
  private inUse = 0;
  private highWater = 0;
  private acquires = 0;
  private releases = 0;
  private failedAcquires = 0;

  constructor(
    /** Bytes per slab. */
    readonly slabSize: number,
    /** The most slabs this pool may allocate. */
    readonly maxSlabs: number,
  ) {}

  /** Whether `count` more slabs can be acquired now. */
  canAcquire(count: number): boolean {
    return count <= this.free.length + (this.maxSlabs - this.slabs.length);
  }

  /** Takes a slab (refs 1, fill 0), or null when the pool is exhausted (counted as a failure). */
  acquire(): JsSlab | null {
    let slab = this.free.pop();
    if (slab === undefined) {
      if (this.slabs.length >= this.maxSlabs) {
        this.failedAcquires++;
        return null;
      }
      slab = new JsSlab(Buffer.allocUnsafeSlow(this.slabSize), this.slabs.length);
      this.slabs.push(slab);
    }
    slab.refs = 1;
    slab.fill = 0;
    this.acquires++;
    this.inUse++;
    if (this.inUse > this.highWater) this.highWater = this.inUse;
    return slab;
  }

  /** Counts an operation refused after {@link canAcquire} said no. */
  countFailure(): void {
    this.failedAcquires++;
  }

  /** Drops one user of `slab`; a slab nobody uses goes back to the free cache. */
  unref(slab: JsSlab): void {
    if (--slab.refs !== 0) return;
    slab.fill = 0;
    this.free.push(slab);
    this.releases++;
    this.inUse--;
  }

  /** The statistics now. */
  stats(): BufferPoolStats {
    return {
      slabSize: this.slabSize,
      slabsMax: this.maxSlabs,
      slabsTotal: this.slabs.length,
      slabsInUse: this.inUse,
      slabsFree: this.free.length,
      highWater: this.highWater,
      acquires: this.acquires,
      releases: this.releases,
      failedAcquires: this.failedAcquires,
    };
  }
}
