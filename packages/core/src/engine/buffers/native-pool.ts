import { closedError, requireInRange } from './arguments.js';
import { checkWatermarks } from './js-buffer.js';
import { MAX_SLAB_SIZE, MAX_SLABS } from './limits.js';
import type { BufferBindings } from './native-bindings.js';
import { NativePooledBuffer } from './native-buffer.js';
import { lowWord } from './words.js';
import type { BufferPool, BufferPoolOptions, BufferPoolStats, PooledBuffer, PooledBufferOptions } from './types.js';

const EMPTY = Buffer.alloc(0);
/** Word indexes of `gmcp_buffer_region` fields 1 to 3 (low halves). */
const INDEX = lowWord(1);
const OFFSET = lowWord(2);
const LENGTH = lowWord(3);

/** A {@link BufferPool} owning a native `gmcp_buffer_pool`. */
export class NativeBufferPool implements BufferPool {
  readonly slabSize: number;
  readonly maxSlabs: number;
  private handle: bigint | null;
  /** One view per slab, made on first use (a koffi view costs microseconds; slabs live as long as the pool). */
  private readonly slabViews: Array<Buffer | undefined> = [];

  constructor(
    /** The bindings of the library the pool lives in. */
    readonly bindings: BufferBindings,
    options: BufferPoolOptions,
  ) {
    this.slabSize = requireInRange(options.slabSize, 1, MAX_SLAB_SIZE, 'slabSize');
    this.maxSlabs = requireInRange(options.maxSlabs, 1, MAX_SLABS, 'maxSlabs');
    bindings.library.check(bindings.poolNew(this.slabSize, this.maxSlabs, bindings.handleOut), 'buffer pool new');
    const handle = bindings.handleOut[0] as bigint;
    this.handle = handle;
    bindings.poolRegistry.register(this, handle, this);
  }

  get closed(): boolean {
    return this.handle === null;
  }

  createBuffer(options: PooledBufferOptions = {}): PooledBuffer {
    if (this.handle === null) throw closedError('buffer pool');
    checkWatermarks(options.lowWatermark ?? 0, options.highWatermark ?? 0);
    const b = this.bindings;
    b.library.check(b.bufferNew(this.handle, b.handleOut), 'buffer new');
    return new NativePooledBuffer(this, b.handleOut[0] as bigint, 0, options);
  }

  stats(): BufferPoolStats {
    if (this.handle === null) throw closedError('buffer pool');
    const b = this.bindings;
    b.library.check(b.poolStats(this.handle, b.wide), 'buffer pool stats');
    const w = b.wide;
    return {
      slabSize: Number(w[0]),
      slabsMax: Number(w[1]),
      slabsTotal: Number(w[2]),
      slabsInUse: Number(w[3]),
      slabsFree: Number(w[4]),
      highWater: Number(w[5]),
      acquires: Number(w[6]),
      releases: Number(w[7]),
      failedAcquires: Number(w[8]),
    };
  }

  /** The view of the region the last reserve / linearize call wrote to `bindings.region`. */
  regionView(): Buffer {
    const words = this.bindings.regionWords; // slab_index, slab_offset and length are below 2^32
    const length = words[LENGTH] as number;
    if (length === 0) return EMPTY;
    const index = words[INDEX] as number;
    const offset = words[OFFSET] as number;
    let slab = this.slabViews[index];
    if (slab === undefined) {
      const region = this.bindings.region;
      const base = (region[0] as bigint) - (region[2] as bigint);
      slab = Buffer.from(this.bindings.library.koffi.view(base, this.slabSize));
      this.slabViews[index] = slab;
    }
    return slab.subarray(offset, offset + length);
  }

  close(): void {
    const handle = this.handle;
    if (handle === null) return;
    this.handle = null;
    this.bindings.poolRegistry.unregister(this);
    this.bindings.poolFree(handle);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
