import { closedError, requireInRange } from './arguments.js';
import { checkWatermarks, JsPooledBuffer } from './js-buffer.js';
import { JsSlabPool } from './js-slab-pool.js';
import { MAX_SLAB_SIZE, MAX_SLABS } from './limits.js';
import type { BufferPool, BufferPoolOptions, BufferPoolStats, PooledBuffer, PooledBufferOptions } from './types.js';

/** The JS twin's {@link BufferPool}. */
export class JsBufferPool implements BufferPool {
  private readonly slabs: JsSlabPool;
  private isClosed = false;

  constructor(options: BufferPoolOptions) {
    const slabSize = requireInRange(options.slabSize, 1, MAX_SLAB_SIZE, 'slabSize');
    const maxSlabs = requireInRange(options.maxSlabs, 1, MAX_SLABS, 'maxSlabs');
    this.slabs = new JsSlabPool(slabSize, maxSlabs);
  }

  get slabSize(): number {
    return this.slabs.slabSize;
  }

  get maxSlabs(): number {
    return this.slabs.maxSlabs;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  createBuffer(options: PooledBufferOptions = {}): PooledBuffer {
    if (this.isClosed) throw closedError('buffer pool');
    checkWatermarks(options.lowWatermark ?? 0, options.highWatermark ?? 0);
    return new JsPooledBuffer(this.slabs, options);
  }

  stats(): BufferPoolStats {
    if (this.isClosed) throw closedError('buffer pool');
    return this.slabs.stats();
  }

  close(): void {
    this.isClosed = true;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
