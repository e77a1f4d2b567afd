/**
 * The buffer API of the engine: a pool of fixed-size slabs and buffers made of reference-counted
 * slices over them. Both engines implement it with identical semantics (the conformance vectors
 * check operation results, pool statistics and watermark crossings byte for byte).
 *
 * Rules both engines follow:
 * - A failed call leaves the buffer unchanged and throws an `EngineError`: `OUT_OF_MEMORY` when the
 *   pool is exhausted (counted in `failedAcquires`), `INVALID_ARGUMENT` for a range outside the
 *   buffer or a size that is not a non-negative safe integer, `LIMIT` for a contiguous region larger
 *   than a slab, `STATE` for a closed object or a `commit` without a pending `reserve`.
 * - `add`, `reserve` and `drain` discard a pending reservation once their arguments are valid.
 * - Views returned by `reserve` and `linearize` are valid until the next `add`, `reserve`,
 *   `commit`, `drain` or `linearize` on that buffer, or its `close()`.
 * - Closing a pool while buffers are alive is safe: the buffers keep working (and keep the slabs
 *   alive) until they are closed; only the pool object itself (`createBuffer`, `stats`) refuses
 *   further calls with `STATE`.
 */

/** Options of {@link BufferEngine.createBufferPool}. */
export interface BufferPoolOptions {
  /** Bytes per slab, 1 to 2^30. Slabs are allocated lazily and cached once released. */
  readonly slabSize: number;
  /** The most slabs the pool may allocate, 1 to 2^24. */
  readonly maxSlabs: number;
}

/** Statistics of a {@link BufferPool}; the counters run since the pool was created. */
export interface BufferPoolStats {
  readonly slabSize: number;
  /** The most slabs the pool may allocate. */
  readonly slabsMax: number;
  /** Slabs allocated so far: in use plus cached free ones. */
  readonly slabsTotal: number;
  /** Slabs used by at least one slice or reservation. */
  readonly slabsInUse: number;
  /** Allocated slabs cached for reuse. */
  readonly slabsFree: number;
  /** The largest `slabsInUse` ever. */
  readonly highWater: number;
  /** Successful slab acquisitions. */
  readonly acquires: number;
  /** Slabs returned to the pool (their last slice or reservation went away). */
  readonly releases: number;
  /** Operations refused because the pool was exhausted. */
  readonly failedAcquires: number;
}

/**
 * A watermark crossing: `high` when the length went above the high watermark, `low` when, after a
 * `high`, it came back to the low watermark or below (or the watermarks were turned off).
 */
export type WatermarkCrossing = 'high' | 'low';

/** The watermark settings of a buffer and which side of them it is on. */
export interface WatermarkState {
  /** The low watermark (0 to `high`). */
  readonly low: number;
  /** The high watermark; 0 means the watermarks are off. */
  readonly high: number;
  /** True after a `high` crossing, until the next `low` one. */
  readonly aboveHigh: boolean;
}

/** Called with each watermark crossing of a buffer, right after the call that caused it. */
export type WatermarkListener = (crossing: WatermarkCrossing, buffer: PooledBuffer) => void;

/** Options of {@link BufferPool.createBuffer}. */
export interface PooledBufferOptions {
  /** The low watermark (default 0). */
  readonly lowWatermark?: number;
  /** The high watermark (default 0: watermarks off). */
  readonly highWatermark?: number;
  /** Called with every watermark crossing (they are also returned by the call that caused them). */
  readonly onWatermark?: WatermarkListener;
}

/**
 * A byte buffer made of slices over pool slabs. Mutating calls return the watermark crossing they
 * caused, or null.
 */
export interface PooledBuffer extends Disposable {
  /** Bytes in the buffer. */
  readonly length: number;
  /** True once {@link close} was called. */
  readonly closed: boolean;
  /** Appends a copy of `bytes` (filling the last slab first, then new slabs). */
  add(bytes: Uint8Array): WatermarkCrossing | null;
  /**
   * Returns `size` (1 to the slab size) writable bytes at the end of the buffer without copying:
   * a view of slab memory (of unspecified content) to fill, then {@link commit}.
   */
  reserve(size: number): Uint8Array;
  /** Appends the first `length` bytes of the pending reservation (0 to its size) and ends it. */
  commit(length: number): WatermarkCrossing | null;
  /** Removes `length` bytes from the front; slabs nobody uses any more go back to the pool. */
  drain(length: number): WatermarkCrossing | null;
  /** A copy of `length` bytes starting at `offset`. */
  copyOut(offset: number, length: number): Uint8Array;
  /** Copies `target.length` bytes starting at `offset` (default 0) into `target`, allocating nothing; returns that count. */
  copyInto(target: Uint8Array, offset?: number): number;
  /** A copy of the first `length` bytes (default: all of them). */
  peek(length?: number): Uint8Array;
  /**
   * The first `length` bytes as one contiguous view: in place when they lie in one slice, else
   * copied once into a new slab that replaces those slices (`LIMIT` above the slab size).
   */
  linearize(length: number): Uint8Array;
  /** Index of the first occurrence of `needle` at or after `start` (default 0), across slices; -1 if none. An empty needle is found at `start` when `start <= length`. */
  search(needle: Uint8Array, start?: number): number;
  /** A new buffer over `[offset, offset + length)` sharing the slabs (no copy; no watermarks). */
  slice(offset: number, length: number, options?: PooledBufferOptions): PooledBuffer;
  /** Sets the watermarks (`0 <= low <= high`; high 0 turns them off) and reports a crossing this causes. */
  setWatermarks(low: number, high: number): WatermarkCrossing | null;
  /** The watermark settings and state. */
  getWatermarkState(): WatermarkState;
  /** Releases the buffer's slices (and pending reservation). Idempotent. */
  close(): void;
}

/** A pool of fixed-size slabs that buffers draw from. */
export interface BufferPool extends Disposable {
  /** Bytes per slab. */
  readonly slabSize: number;
  /** The most slabs the pool may allocate. */
  readonly maxSlabs: number;
  /** True once {@link close} was called. */
  readonly closed: boolean;
  /** A new empty buffer drawing slabs from this pool. */
  createBuffer(options?: PooledBufferOptions): PooledBuffer;
  /** The pool statistics now. */
  stats(): BufferPoolStats;
  /** Drops the pool object; live buffers keep working until they are closed. Idempotent. */
  close(): void;
}

/** The buffers primitives of the engine. */
export interface BufferEngine {
  /** Creates a pool of `maxSlabs` slabs of `slabSize` bytes (allocated lazily). */
  createBufferPool(options: BufferPoolOptions): BufferPool;
  /** Does nothing with `bytes`: measures the cost of one engine call passing a byte buffer. */
  bufferNoop(bytes: Uint8Array): void;
}
