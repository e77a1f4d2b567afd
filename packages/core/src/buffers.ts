import type { BufferPool, BufferPoolOptions } from './engine/buffers/types.js';
import { createJsEngine } from './engine/js-engine.js';
import type { Engine } from './engine/types.js';

/** Options of {@link createBufferPool}. */
export interface CreateBufferPoolOptions extends BufferPoolOptions {
  /**
   * The engine whose pool to use. Default: the JS twin, which measured faster than the native
   * pool for the small per-call operations transports make (every native call pays the FFI
   * crossing and each native buffer a FinalizationRegistry registration; see BENCHMARKS.md).
   * Pass the native engine to keep buffer memory outside the V8 heap.
   */
  readonly engine?: Engine;
}

let jsEngine: Engine | undefined;

/**
 * A pool of fixed-size slabs for transports and custom filters: `pool.createBuffer()` acquires a
 * buffer, `buffer.close()` releases its slabs back to the pool; `reserve()`/`commit()` write without
 * copying, `linearize()`/`search()`/`slice()` read without copying where the bytes allow, and
 * `pool.stats()` reports slabs in use, free, the high-water mark and failed acquisitions.
 *
 * ```ts
 * using pool = createBufferPool({ slabSize: 16 * 1024, maxSlabs: 1024 });
 * using buffer = pool.createBuffer({ highWatermark: 1 << 20, onWatermark: (side) => socket[side === 'high' ? 'pause' : 'resume']() });
 * buffer.add(chunk);
 * const newline = buffer.search(Buffer.from('\n'));
 * ```
 */
export function createBufferPool(options: CreateBufferPoolOptions): BufferPool {
  const engine = options.engine ?? (jsEngine ??= createJsEngine());
  return engine.createBufferPool({ slabSize: options.slabSize, maxSlabs: options.maxSlabs });
}
